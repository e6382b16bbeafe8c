package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Differential test against real Yjs of the UTF-8 inside updates: lib0 decodes strings with a fatal
 * {@code TextDecoder}, so Yjs rejects an update with a malformed string (a text's content, a map key, a string or
 * JSON value, a format key, an XML element's name) and must find us rejecting the same update, without any change,
 * while well-formed bytes (also U+FFFD itself and a byte-order mark) load alike. Two bytes inside a string are
 * replaced by pairs that are valid, overlong, surrogates, stray continuations or cut sequences, in format v1 and v2.
 *
 * <p>Seeded; a failure names its seed: rerun it with {@code -Dutf8.diff.seed=<seed> -Dutf8.diff.runs=1}.
 */
@ExtendWith(YjsPeerExtension.class)
class MalformedUtf8DifferentialPropertyTest {
  private static final int RUNS = 120;
  private static final String MARK = "\u00e9"; // C3 A9: the two bytes that are replaced
  private static final byte[][] REPLACEMENTS = {
      {(byte) 0xC3, (byte) 0xA9}, {(byte) 0xC2, (byte) 0x80}, {(byte) 0xDF, (byte) 0xBF}, {0x41, 0x42}, // valid
      {(byte) 0xFF, (byte) 0xFF}, {(byte) 0xFE, 0x41}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0xC1, (byte) 0xBF}, // never valid, overlong
      {(byte) 0x80, (byte) 0x80}, {0x41, (byte) 0xBF}, {(byte) 0xC3, 0x41}, // stray continuation, cut
      {(byte) 0xED, (byte) 0xA0}, {(byte) 0xE0, (byte) 0x80}, {(byte) 0xF4, (byte) 0x90}, {(byte) 0xF5, (byte) 0x80},
  };
  private static final Map<String, String> ROOTS = Map.of("t", "text", "m", "map", "x", "xml");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  @Test
  void stringsInUpdates_areRefusedExactlyWhenYjsRefusesThem() {
    SeededRuns.named("utf8.diff", 0x0FF8L, RUNS).forEach((seed, run) -> check(new SplittableRandom(seed), "u" + run));
  }

  @Test
  void byteOrderMarkAndReplacementCharacter_areKept() {
    Doc doc = Doc.newBuilder().clientId(3).build();
    doc.getText("t").insert(0, "\uFEFFbom \uFFFD");
    Doc loaded = Doc.create();
    loaded.applyUpdate(doc.encodeStateAsUpdate());
    assertThat(loaded.getText("t").toString()).isEqualTo("\uFEFFbom \uFFFD");
  }

  private static void check(SplittableRandom rnd, String id) {
    boolean v2 = rnd.nextBoolean();
    byte[] valid = encode(update(rnd), v2);
    int at = indexOfMark(valid);
    byte[] replacement = REPLACEMENTS[rnd.nextInt(REPLACEMENTS.length)];
    byte[] update = valid.clone();
    update[at] = replacement[0];
    update[at + 1] = replacement[1];

    Doc ours = Doc.newBuilder().clientId(99).build();
    ours.getText("t").insert(0, "kept");
    byte[] before = ours.encodeStateAsUpdate();
    RuntimeException ourError = apply(ours, update, v2);
    peer.newDoc(id, 98, true, ROOTS);
    try {
      RuntimeException yjsError = null;
      try {
        peer.applyUpdate(id, update, v2);
      } catch (YjsPeer.PeerException e) {
        yjsError = e;
      }
      String bytes = String.format("%02X %02X", replacement[0], replacement[1]);
      if (yjsError != null) {
        assertThat(ourError).as("Yjs refused %s (%s) but we applied it", bytes, yjsError.getMessage())
            .isInstanceOf(DecodingException.class);
        assertThat(ours.encodeStateAsUpdate()).as("a refused update leaves the document as it was").isEqualTo(before);
      } else {
        assertThat(ourError).as("Yjs applied %s but we refused it", bytes).isNull();
        Doc fresh = Doc.create();
        apply(fresh, update, v2);
        assertThat(YjsInterop.base64(fresh.encodeStateAsUpdate()))
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
      }
    } finally {
      peer.drop(id);
    }
  }

  /** One edit whose strings carry {@link #MARK} once, in a place chosen at random. */
  private static Doc update(SplittableRandom rnd) {
    Doc doc = Doc.newBuilder().clientId(1 + rnd.nextInt(1000)).build();
    String marked = "ab" + MARK + "cd";
    switch (rnd.nextInt(6)) {
      case 0 -> doc.getText("t").insert(0, rnd.nextBoolean() ? marked : marked + "x".repeat(200));
      case 1 -> doc.getMap("m").set(marked, 1);
      case 2 -> doc.getMap("m").set("k", marked);
      case 3 -> doc.getMap("m").set("k", Map.of("v", List.of(1, marked)));
      case 4 -> doc.getText("t").insert(0, "plain", Map.of(marked, true));
      default -> doc.getXmlFragment("x").insert(0, List.of(new YXmlElement(marked)));
    }
    return doc;
  }

  private static byte[] encode(Doc doc, boolean v2) {
    byte[] v1 = doc.encodeStateAsUpdate();
    return v2 ? Updates.convertV1ToV2(v1) : v1;
  }

  private static int indexOfMark(byte[] update) {
    for (int i = 1; i + 2 < update.length; i++) { // "b" C3 A9 "c"
      if (update[i - 1] == 'b' && update[i] == (byte) 0xC3 && update[i + 1] == (byte) 0xA9 && update[i + 2] == 'c') {
        return i;
      }
    }
    throw new AssertionError("the mark is not in the update");
  }

  private static RuntimeException apply(Doc doc, byte[] update, boolean v2) {
    try {
      if (v2) {
        doc.applyUpdateV2(update);
      } else {
        doc.applyUpdate(update);
      }
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  @Test
  void decoderRefusesMalformedUtf8_withTheOffset() {
    byte[] update = encode(update(new SplittableRandom(1)), false);
    update[indexOfMark(update)] = (byte) 0xFF;
    assertThatThrownBy(() -> Doc.create().applyUpdate(update)).isInstanceOf(DecodingException.class)
        .hasMessageContaining("UTF-8");
  }
}
