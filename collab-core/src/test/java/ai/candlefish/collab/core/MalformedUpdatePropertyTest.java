package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * Hostile input: random bytes and mutations of valid updates, in format v1 and v2, either apply cleanly or throw
 * {@link DecodingException} and leave the document exactly as it was. Nothing else may happen: no other
 * exception, no hang, no OutOfMemoryError or StackOverflowError.
 */
class MalformedUpdatePropertyTest {
  private static final long BASE_SEED = Long.getLong("collab.seed", 0xBADL);

  private static byte[] sampleUpdate(SplittableRandom rnd) {
    Doc d = Doc.newBuilder().clientId(1 + rnd.nextInt(5)).gc(rnd.nextBoolean()).build();
    YText t = d.getText("t");
    t.insert(0, "hello world");
    t.format(0, 5, Map.of("bold", true));
    t.delete(2, 3);
    YMap m = d.getMap("m");
    m.set("a", List.of(1, 2.5, "x", Map.of("k", false)));
    m.set("b", new byte[] {1, 2, 3});
    YMap nested = new YMap();
    m.set("n", nested);
    nested.set("deep", "v");
    YArray a = d.getArray("a");
    a.insert(0, List.of(1, 2, 3));
    a.delete(1, 1);
    d.getXmlFragment("x").insert(0, List.of(new YXmlElement("p")));
    return d.encodeStateAsUpdate();
  }

  @RepeatedTest(300)
  void mutatedUpdate_isAppliedOrRejectedWithoutChange(RepetitionInfo info) {
    mutatedUpdate(BASE_SEED + info.getCurrentRepetition(), false);
  }

  @RepeatedTest(300)
  void mutatedUpdateV2_isAppliedOrRejectedWithoutChange(RepetitionInfo info) {
    mutatedUpdate(BASE_SEED * 7 + info.getCurrentRepetition(), true);
  }

  private static void mutatedUpdate(long seed, boolean v2) {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] valid = sampleUpdate(rnd);
    byte[] bad = mutate(v2 ? Updates.convertV1ToV2(valid) : valid, rnd);
    Doc target = Doc.newBuilder().clientId(77).build();
    target.getText("t").insert(0, "existing");
    target.getMap("m").set("keep", 1);
    byte[] before = target.encodeStateAsUpdate();
    try {
      apply(target, bad, v2);
    } catch (DecodingException e) {
      assertThat(e.getMessage()).as("seed %d", seed).isNotBlank();
      assertThat(target.encodeStateAsUpdate()).as("seed %d: rejected update changed the document", seed)
          .isEqualTo(before);
      return;
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      throw new AssertionError("seed " + seed + ": unexpected " + e, e);
    }
    // Accepted: the document must still be sound and encodable.
    DocInvariants.check(target, false);
    target.encodeStateAsUpdate();
    target.getText("t").toString();
    target.getMap("m").toJson();
    target.encodeStateAsUpdateV2();
  }

  private static void apply(Doc doc, byte[] update, boolean v2) {
    if (v2) {
      doc.applyUpdateV2(update);
    } else {
      doc.applyUpdate(update);
    }
  }

  @RepeatedTest(200)
  void randomBytes_areRejectedOrHarmless(RepetitionInfo info) {
    randomBytes(BASE_SEED * 31 + info.getCurrentRepetition(), false);
  }

  @RepeatedTest(200)
  void randomBytesV2_areRejectedOrHarmless(RepetitionInfo info) {
    randomBytes(BASE_SEED * 37 + info.getCurrentRepetition(), true);
  }

  private static void randomBytes(long seed, boolean v2) {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] bytes = new byte[rnd.nextInt(64)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) rnd.nextInt(256);
    }
    Doc target = Doc.newBuilder().clientId(77).build();
    byte[] before = target.encodeStateAsUpdate();
    try {
      apply(target, bytes, v2);
      DocInvariants.check(target, false);
    } catch (DecodingException e) {
      assertThat(target.encodeStateAsUpdate()).as("seed %d", seed).isEqualTo(before);
    } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
      throw new AssertionError("seed " + seed + ": unexpected " + e, e);
    }
  }

  /**
   * A v2 update of a few bytes whose run-length columns repeat one GC struct for ever: its claim of 2^31 - 1
   * structs is refused before anything is allocated for them.
   */
  @Test
  void hugeRunLengthClaimsV2_areRejectedBeforeAllocating() {
    byte[] claim = {
        0, // feature flag
        0, // key clocks
        1, 1, // clients: client 1
        0, 0, // left and right clocks
        1, 0, // infos: GC (0), repeated for ever
        1, 0, // strings: ""
        0, // parent infos
        0, // type refs
        1, 1, // lengths: 1
        1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 0, // rest: 1 client, 2^31-1 structs, clock 0
        0 // no deletions
    };
    Doc d = Doc.create();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.applyUpdateV2(claim))
        .isInstanceOf(DecodingException.class)
        .hasMessageContaining("more structs than its size allows");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Updates.mergeV2(List.of(claim, claim)))
        .isInstanceOf(DecodingException.class);
  }

  /** A run of 2^40 equal lengths claimed in one column: read lazily, it allocates nothing and ends at the clock limit. */
  @Test
  void hugeRunLengthCountV2_endsAtTheClockLimit() {
    byte[] claim = {
        0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0,
        7, 0x41, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x20, // lengths: 1, 2^40 + 2 times
        1, (byte) 0xFF, (byte) 0xFF, 0x3F, 0, // rest: 1 client, 2^20 - 1 structs, clock 0
        0
    };
    Doc d = Doc.create();
    d.applyUpdateV2(claim); // 2^20 - 1 GCs of length 1: a large, valid update
    assertThat(d.stateVector().get(1)).isEqualTo((1 << 20) - 1);
  }

  /** v1 holds embeds as JSON, which has no bigint: a v2 embed with one would make the document unencodable as v1. */
  @Test
  void embedHoldingABigIntV2_isRejected() {
    Doc source = Doc.newBuilder().clientId(3).build();
    source.getText("t").insertEmbed(0, Map.of("n", java.math.BigInteger.TEN));
    byte[] v2 = source.encodeStateAsUpdateV2();
    Doc target = Doc.create();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> target.applyUpdateV2(v2))
        .isInstanceOf(DecodingException.class).hasMessageContaining("bigint");
    assertThat(target.getText("t").length()).isZero();
  }

  /** Many deleted items that cannot merge compress far beyond a byte per struct in v2, and are accepted. */
  @Test
  void compressedV2HistoryOfManyStructs_isAccepted() {
    Doc source = Doc.newBuilder().clientId(3).build();
    YArray a = source.getArray("a");
    for (int i = 0; i < 20_000; i++) {
      a.insert(0, List.of(i)); // prepended: each item's right origin is the previous one, no merging
    }
    a.delete(0, a.length());
    byte[] v2 = source.encodeStateAsUpdateV2();
    assertThat(v2.length).isLessThan(20_000 / 8);
    Doc target = Doc.create();
    target.applyUpdateV2(v2);
    assertThat(target.encodeStateAsUpdateV2()).isEqualTo(v2);
  }

  @Test
  void hugeLengthClaims_areRejectedBeforeAllocating() {
    // 1 client, 2^31-1 structs claimed.
    byte[] claim = {1, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x07, 1, 0};
    Doc d = Doc.create();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.applyUpdate(claim))
        .isInstanceOf(DecodingException.class);
  }

  @Test
  void deeplyNestedTypes_deleteAndCollectWithoutStackOverflow() {
    // Each map nested in the previous one: what a hostile peer can send in one update.
    Doc source = Doc.newBuilder().clientId(5).gc(false).build();
    YMap current = source.getMap("root");
    source.transact(txn -> {
      YMap m = source.getMap("root");
      for (int i = 0; i < 50_000; i++) {
        YMap child = new YMap();
        m.set("c", child);
        m = child;
      }
    });
    byte[] nested = source.encodeStateAsUpdate();
    Doc target = Doc.create();
    target.applyUpdate(nested);
    Doc deleter = Doc.newBuilder().clientId(6).build();
    deleter.applyUpdate(nested);
    deleter.getMap("root").delete("c");
    target.applyUpdate(deleter.encodeStateAsUpdate(target.encodeStateVector()));
    assertThat(target.getMap("root").toJson()).isEmpty();
    DocInvariants.check(target);
    assertThat(current.has("c")).isTrue();
  }

  @Test
  void endlessVarint_isRejected() {
    byte[] bytes = new byte[100];
    java.util.Arrays.fill(bytes, (byte) 0x80);
    Doc d = Doc.create();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> d.applyUpdate(bytes))
        .isInstanceOf(DecodingException.class);
  }

  private static byte[] mutate(byte[] valid, SplittableRandom rnd) {
    List<Byte> b = new ArrayList<>();
    for (byte x : valid) {
      b.add(x);
    }
    int mutations = 1 + rnd.nextInt(4);
    for (int i = 0; i < mutations && !b.isEmpty(); i++) {
      int pos = rnd.nextInt(b.size());
      switch (rnd.nextInt(5)) {
        case 0 -> b.set(pos, (byte) rnd.nextInt(256));
        case 1 -> b.remove(pos);
        case 2 -> b.add(pos, (byte) rnd.nextInt(256));
        case 3 -> b.subList(pos, b.size()).clear();
        default -> b.set(pos, (byte) (b.get(pos) ^ (1 << rnd.nextInt(8))));
      }
    }
    byte[] out = new byte[b.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.get(i);
    }
    return out;
  }
}
