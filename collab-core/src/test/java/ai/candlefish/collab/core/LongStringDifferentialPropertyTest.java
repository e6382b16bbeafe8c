package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Differential test against real Yjs of long strings (past the short-string path of the encoder, 127 chars):
 * mostly ASCII with '?', non-ASCII, surrogate pairs and lone surrogates mixed in, or none of them. Each string is
 * inserted into a text of a Java document and of its Yjs twin; the encoded state must be Yjs's bytes, also from
 * a state vector that starts inside the string (the encoder writes the string from an offset, which may split a
 * surrogate pair), and the Java document loaded from Yjs's bytes must encode them again.
 *
 * <p>Seeded; a failure names its seed: rerun it with {@code -Dlongstring.diff.seed=<seed> -Dlongstring.diff.runs=1}.
 */
@ExtendWith(YjsPeerExtension.class)
class LongStringDifferentialPropertyTest {
  private static final int RUNS = 40;
  private static final Map<String, String> ROOTS = Map.of("t", "text");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void longStrings_areEncodedAndDecodedAsYjsDoes() {
    SeededRuns.named("longstring.diff", 0x1057L, RUNS)
        .forEach((seed, run) -> check(new SplittableRandom(seed), "ls" + run));
  }

  private static void check(SplittableRandom rnd, String id) {
    String s = randomString(rnd, 128 + rnd.nextInt(rnd.nextBoolean() ? 200 : 4000));
    Doc doc = Doc.newBuilder().clientId(7).build();
    doc.getText("t").insert(0, s);
    peer.newDoc(id, 7, true, ROOTS);
    try {
      peer.apply(id, Map.of("op", "insertText", "name", "t", "index", 0, "text", s));
      byte[] yjs = peer.encodeStateAsUpdate(id, null);
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("encoded state").isEqualTo(YjsInterop.base64(yjs));
      StateVector from = StateVector.empty();
      from.set(7, rnd.nextInt(s.length()));
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate(from.encode()))).as("encoded from %s", from)
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, from.encode())));
      Doc loaded = Doc.create();
      loaded.applyUpdate(yjs);
      assertThat(YjsInterop.base64(loaded.encodeStateAsUpdate())).as("Yjs's state loaded and encoded again")
          .isEqualTo(YjsInterop.base64(yjs));
    } finally {
      peer.drop(id);
    }
  }

  /**
   * ASCII only; or ASCII with '?' and lone surrogates (the JDK writes '?' for those, one byte as for ASCII); or
   * ASCII with any of '?', non-ASCII, surrogate pairs and lone surrogates.
   */
  private static String randomString(SplittableRandom rnd, int length) {
    int mode = rnd.nextInt(3);
    StringBuilder sb = new StringBuilder(length);
    while (sb.length() < length) {
      int dice = mode == 0 ? 99 : rnd.nextInt(100);
      if (dice < 3) {
        sb.append('?');
      } else if (dice < 4 || mode == 1 && dice < 8) {
        sb.append((char) (rnd.nextBoolean() ? 0xD800 + rnd.nextInt(0x400) : 0xDC00 + rnd.nextInt(0x400)));
      } else if (dice < 6 && mode == 2) {
        sb.append((char) (0x80 + rnd.nextInt(0x780))); // two UTF-8 bytes
      } else if (dice < 8 && mode == 2) {
        sb.append("日😀");
      } else {
        sb.append((char) (0x20 + rnd.nextInt(0x5F)));
      }
    }
    return sb.toString();
  }
}
