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
 * Hostile input: random bytes and mutations of valid updates either apply cleanly or throw
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
    return d.encodeStateAsUpdate();
  }

  @RepeatedTest(300)
  void mutatedUpdate_isAppliedOrRejectedWithoutChange(RepetitionInfo info) {
    long seed = BASE_SEED + info.getCurrentRepetition();
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] valid = sampleUpdate(rnd);
    byte[] bad = mutate(valid, rnd);
    Doc target = Doc.newBuilder().clientId(77).build();
    target.getText("t").insert(0, "existing");
    target.getMap("m").set("keep", 1);
    byte[] before = target.encodeStateAsUpdate();
    try {
      target.applyUpdate(bad);
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
  }

  @RepeatedTest(200)
  void randomBytes_areRejectedOrHarmless(RepetitionInfo info) {
    long seed = BASE_SEED * 31 + info.getCurrentRepetition();
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] bytes = new byte[rnd.nextInt(64)];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) rnd.nextInt(256);
    }
    Doc target = Doc.newBuilder().clientId(77).build();
    byte[] before = target.encodeStateAsUpdate();
    try {
      target.applyUpdate(bytes);
      DocInvariants.check(target, false);
    } catch (DecodingException e) {
      assertThat(target.encodeStateAsUpdate()).isEqualTo(before);
    }
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
