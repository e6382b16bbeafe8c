package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Lib0Decoder;
import ai.candlefish.collab.core.internal.codec.RleDecoders;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Yjs's update format v2 ({@code UpdateDecoderV2} / {@code DSDecoderV2}); see {@link UpdateEncoderV2} for the
 * layout. Each column is decoded from its own slice of the input, so offsets in errors point into the update.
 *
 * <p>Run-length encoding lets a few bytes stand for any number of equal fields, so v2 bytes do not bound the
 * number of structs as v1 bytes do (in v1 each takes at least two bytes). An update of {@code n} bytes may
 * therefore hold at most {@code max(2^20, 32 n)} structs ({@link #MAX_STRUCTS_MIN}, {@link #MAX_STRUCTS_PER_BYTE}):
 * far more than any real update (Yjs's own v2 updates of the traces hold under one struct per byte), and a bound
 * on what a hostile update can make us allocate. Yjs has no such bound.
 */
final class UpdateDecoderV2 extends UpdateDecoder {
  static final long MAX_STRUCTS_MIN = 1 << 20;
  static final long MAX_STRUCTS_PER_BYTE = 32;

  private final RleDecoders.IntDiffOptRle keyClocks;
  private final RleDecoders.UintOptRle clients;
  private final RleDecoders.IntDiffOptRle leftClocks;
  private final RleDecoders.IntDiffOptRle rightClocks;
  private final RleDecoders.ByteRle infos;
  private final RleDecoders.Strings strings;
  private final RleDecoders.ByteRle parentInfos;
  private final RleDecoders.UintOptRle typeRefs;
  private final RleDecoders.UintOptRle lens;
  private final List<String> keys = new ArrayList<>();
  private long structBudget;
  private long dsCurrVal;

  UpdateDecoderV2(Lib0Decoder in) {
    super(in);
    structBudget = Math.max(MAX_STRUCTS_MIN, MAX_STRUCTS_PER_BYTE * in.remaining());
    in.readVarUint(); // feature flag, unused (Yjs ignores it too)
    keyClocks = new RleDecoders.IntDiffOptRle(column(in));
    clients = new RleDecoders.UintOptRle(column(in));
    leftClocks = new RleDecoders.IntDiffOptRle(column(in));
    rightClocks = new RleDecoders.IntDiffOptRle(column(in));
    infos = new RleDecoders.ByteRle(column(in));
    strings = new RleDecoders.Strings(column(in));
    parentInfos = new RleDecoders.ByteRle(column(in));
    typeRefs = new RleDecoders.UintOptRle(column(in));
    lens = new RleDecoders.UintOptRle(column(in));
  }

  /** The next column: a byte length, then that many bytes, read in place. */
  private static Lib0Decoder column(Lib0Decoder in) {
    int at = in.offset();
    int len = in.readVarUintAsInt();
    if (len > in.remaining()) {
      throw new DecodingException("column claims " + len + " bytes but only " + in.remaining() + " remain", at);
    }
    return in.slice(len);
  }

  @Override
  void checkClientCount(long count) {
    checkRestCount(count, 2, "clients"); // struct count and clock; the client is in its column
  }

  @Override
  void checkStructCount(long count) {
    if (count > structBudget) {
      throw error("update claims " + count + " more structs than its size allows (at most max(2^20, 32 per byte))");
    }
    structBudget -= count;
  }

  @Override
  void checkStringCount(long count) {
    if (count > strings.remainingChars()) {
      throw error("update claims " + count + " JSON values but only " + strings.remainingChars()
          + " chars remain in the string column");
    }
  }

  @Override
  long readClient() {
    return clients.read();
  }

  @Override
  ID readLeftId() {
    return readId(leftClocks);
  }

  @Override
  ID readRightId() {
    return readId(rightClocks);
  }

  private ID readId(RleDecoders.IntDiffOptRle clocks) {
    long client = clients.read();
    int at = rest.offset();
    return new ID(client, toInt(clocks.read(), "clock", at));
  }

  @Override
  int readInfo() {
    return infos.read();
  }

  @Override
  String readString() {
    return strings.read();
  }

  @Override
  boolean readParentInfo() {
    return parentInfos.read() == 1; // Yjs writes 1 (a named root) or 0 (an item) and reads anything but 1 as 0
  }

  @Override
  int readTypeRef() {
    long v = typeRefs.read();
    return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v; // out of range: an unknown type ref
  }

  @Override
  int readLen() {
    int at = lens.offset();
    return toInt(lens.read(), "length", at);
  }

  /**
   * An embed or format value. One holding a bigint is refused, unlike Yjs: v1 holds these values as JSON, which
   * has no bigint, so a document that accepted one could never be encoded as v1 again (Yjs would throw then).
   */
  @Override
  Object readJson() {
    int at = rest.offset();
    Object value = rest.readAny();
    if (holdsBigInt(value)) {
      throw new DecodingException("an embed or format value holds a bigint, which v1 updates (JSON) cannot carry", at);
    }
    return value;
  }

  private static boolean holdsBigInt(Object value) {
    if (value instanceof BigInteger) {
      return true;
    }
    if (value instanceof List<?> list) {
      for (Object v : list) {
        if (holdsBigInt(v)) {
          return true;
        }
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Object v : map.values()) {
        if (holdsBigInt(v)) {
          return true;
        }
      }
    }
    return false;
  }

  @Override
  String readKey() {
    int at = rest.offset();
    long keyClock = keyClocks.read();
    if (keyClock < 0) {
      throw new DecodingException("key number " + keyClock + " is negative", at);
    }
    if (keyClock < keys.size()) {
      return keys.get((int) keyClock);
    }
    String key = strings.read();
    keys.add(key);
    return key;
  }

  @Override
  void resetDsCurVal() {
    dsCurrVal = 0;
  }

  @Override
  long readDsClock() {
    // dsCurrVal stays below 2^31 + 2^53: the reader rejects every range that ends beyond the clocks' range
    dsCurrVal += rest.readVarUint();
    return dsCurrVal;
  }

  @Override
  long readDsLen() {
    long len = rest.readVarUint() + 1;
    dsCurrVal += len;
    return len;
  }
}
