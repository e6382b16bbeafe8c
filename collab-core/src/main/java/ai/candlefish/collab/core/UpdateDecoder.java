package ai.candlefish.collab.core;

import ai.candlefish.collab.core.internal.codec.Json;
import ai.candlefish.collab.core.internal.codec.Lib0Decoder;

/**
 * Reads the fields of a Yjs update in format v1 ({@link UpdateDecoderV1}) or v2 ({@link UpdateDecoderV2}), for
 * struct and delete-set readers that are the same for both (Yjs {@code UpdateDecoderV1/V2},
 * {@code DSDecoderV1/V2}). Counts, first clocks, Skip lengths and the delete set's clients are read from
 * {@link #rest} directly.
 *
 * <p>Each format also says how many items its bytes can hold at most ({@code check...}), so that a reader checks a
 * claimed count before it allocates for it.
 */
abstract sealed class UpdateDecoder permits UpdateDecoderV1, UpdateDecoderV2 {
  /** What Yjs calls the rest decoder (in v1, everything). */
  final Lib0Decoder rest;

  /**
   * What the structs read may weigh in all ({@link HeapWeight}), or -1 when they are not weighed: an update from an
   * untrusted peer that would hold more than a whole document may is refused while it is read, before the heap it
   * would hold (up to 85 times its bytes) is allocated.
   */
  long weightBudget = -1;
  /** What the structs read so far weigh, when {@link #weightBudget} is set, those the document holds aside. */
  long weight;
  /**
   * The store of the document the update is weighed for, or null. Structs it holds already (a client sending again
   * what arrived before) integrate nothing: they are weighed against {@link #heldBudget}, not
   * {@link #weightBudget}, and need not be kept.
   */
  StructStore holder;
  /** What the structs that {@link #holder} holds may weigh in all: bounds the work of decoding a resend. */
  long heldBudget;
  private long heldWeight;

  UpdateDecoder(Lib0Decoder rest) {
    this.rest = rest;
  }

  /** Weighs the structs read as {@code weighing} says; null: not at all. */
  final void weighAs(UpdateReader.Weighing weighing) {
    if (weighing != null) {
      weightBudget = weighing.room();
      holder = weighing.holder();
      heldBudget = weighing.heldRoom();
    }
  }

  /**
   * Counts {@code s} against {@link #weightBudget}, or against {@link #heldBudget} if {@link #holder} holds it
   * ({@code held}), when the update is weighed; throws once beyond.
   */
  final void weigh(AbstractStruct s, boolean held) {
    if (weightBudget < 0) {
      return;
    }
    if (held) {
      if ((heldWeight += HeapWeight.of(s)) > heldBudget) {
        throw new LimitExceededException(LimitExceededException.Limit.DOCUMENT_SIZE, "the update repeats more of "
            + "what the document holds than its maximum size (refused at byte " + offset() + ")");
      }
    } else if ((weight += HeapWeight.of(s)) > weightBudget) {
      throw new LimitExceededException(LimitExceededException.Limit.DOCUMENT_SIZE, "the update would make the "
          + "document hold more memory than its maximum size allows (refused at byte " + offset() + ")");
    }
  }

  final int offset() {
    return rest.offset();
  }

  final DecodingException error(String message) {
    return new DecodingException(message, rest.offset());
  }

  /** Throws unless {@code count} things of at least {@code minBytesEach} bytes each fit in what remains of {@link #rest}. */
  final void checkRestCount(long count, int minBytesEach, String what) {
    if (count > rest.remaining() / minBytesEach) {
      throw error("update claims " + count + " " + what + " but only " + rest.remaining() + " bytes remain");
    }
  }

  /** Throws unless the update can hold {@code count} more client blocks. */
  abstract void checkClientCount(long count);

  /** Throws unless the update can hold {@code count} more structs. */
  abstract void checkStructCount(long count);

  /** Throws unless the update can hold {@code count} more JSON strings (legacy JSON content). */
  abstract void checkStringCount(long count);

  abstract long readClient();

  abstract ID readLeftId();

  abstract ID readRightId();

  abstract int readInfo();

  abstract String readString();

  /** Whether the last {@link #readString()} read only ASCII chars (false when not known). */
  boolean lastStringWasAscii() {
    return false;
  }

  abstract boolean readParentInfo();

  abstract int readTypeRef();

  abstract int readLen();

  final Object readAny() {
    return rest.readAny();
  }

  final byte[] readBuf() {
    return rest.readVarUint8Array();
  }

  /** An embed or format value (a JSON string in v1, a lib0 {@code any} in v2). */
  abstract Object readJson();

  abstract String readKey();

  abstract void resetDsCurVal();

  abstract long readDsClock();

  abstract long readDsLen();

  /** Parses a JSON string as Yjs's legacy JSON content holds it ({@code "undefined"} included). */
  static Object parseJson(String s, int at) {
    if ("undefined".equals(s)) {
      return Undefined.INSTANCE;
    }
    try {
      return Json.parse(s);
    } catch (DecodingException e) {
      throw new DecodingException("malformed JSON content: " + e.getMessage(), at, e);
    }
  }

  /** A clock or length read as a long: must fit the clocks a document can hold. */
  static int toInt(long v, String what, int at) {
    if (v < 0 || v > Integer.MAX_VALUE) {
      throw new DecodingException(what + " " + v + " is out of range", at);
    }
    return (int) v;
  }
}
