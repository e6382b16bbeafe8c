package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Content that Yjs 13.6 reads but no longer writes, as old clients sent it, against real Yjs: JSON content (ref 2)
 * holds each value as a JSON string, which Yjs reads with {@code JSON.parse} ("undefined" is undefined) and writes
 * again with {@code JSON.stringify}, so a document, a merge, a diff and a v2 conversion write the value as
 * JavaScript prints it, not as it came ({@code 1e400} is {@code null}, {@code 1.0} is {@code 1}, object keys in
 * JavaScript's order, the last of two equal keys). A string that is no JSON fails the update on both sides.
 */
@ExtendWith(YjsPeerExtension.class)
class LegacyContentDifferentialTest {
  private static final List<String> ODD_JSON = List.of("1e400", "-0", "1.0", " [1, 2] ", "\"\\u00e9\"",
      "{\"b\":1,\"1\":2}", "{\"__proto__\":{\"x\":1}}", "undefined", "null", "12345678901234567890", "\"\\ud800\"",
      "{\"a\":1,\"a\":2}", "0.1e1", "-1e-400", "\"x\"\n", "[{\"10\":1,\"9\":[]}, -0.0, 5e-324, 1E21]");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  /** A v1 update of one JSON-content item by client 5 at clock 0: in root array "a", or under a key of root map "m". */
  static byte[] jsonContentUpdate(List<String> values, String key) {
    return update(Content.JSON, key == null ? "a" : "m", key, e -> {
      e.writeVarUint(values.size());
      values.forEach(e::writeVarString);
    });
  }

  /** A v1 update of one item by client 5 at clock 0 with content {@code ref} in root {@code root} (under key). */
  static byte[] update(int ref, String root, String key, Consumer<Lib0Encoder> content) {
    Lib0Encoder e = new Lib0Encoder();
    e.writeVarUint(1); // clients
    e.writeVarUint(1); // structs of the client
    e.writeVarUint(5);
    e.writeVarUint(0);
    e.writeUint8(ref | (key == null ? 0 : 0x20)); // no origins: the parent and key follow
    e.writeVarUint(1); // the parent is a root, named
    e.writeVarString(root);
    if (key != null) {
      e.writeVarString(key);
    }
    content.accept(e);
    e.writeVarUint(0); // delete set
    return e.toByteArray();
  }

  @Test
  void jsonContent_readAndWrittenAgainAsYjs() {
    byte[] update = jsonContentUpdate(ODD_JSON, null);
    Map<String, String> roots = Map.of("a", "array", "m", "map");
    Doc doc = Doc.newBuilder().clientId(9).build();
    doc.getArray("a");
    doc.getMap("m");
    doc.applyUpdate(update);
    peer.newDoc("legacy-json", 9, true, roots);
    try {
      peer.applyUpdate("legacy-json", update);
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate()))
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate("legacy-json", null)));
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdateV2()))
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate("legacy-json", null, true)));
      Twins.assertSameRoots(peer, doc, "legacy-json", roots, "after the JSON content");
      byte[] mapUpdate = jsonContentUpdate(List.of("1", "{\"z\":1e400}"), "k");
      doc.applyUpdate(mapUpdate);
      peer.applyUpdate("legacy-json", mapUpdate);
      Twins.assertSameRoots(peer, doc, "legacy-json", roots, "after the map's JSON content");
    } finally {
      peer.drop("legacy-json");
    }
  }

  @Test
  void jsonContent_inTheUpdateAlgebraAsYjs() {
    byte[] update = jsonContentUpdate(ODD_JSON, null);
    byte[] other = jsonContentUpdate(List.of("[1,  2]"), "k");
    assertThat(YjsInterop.base64(Updates.merge(List.of(update, other))))
        .isEqualTo(YjsInterop.base64(peer.mergeUpdates(List.of(update, other))));
    byte[] v2 = Updates.convertV1ToV2(update);
    assertThat(YjsInterop.base64(v2)).isEqualTo(YjsInterop.base64(peer.convertUpdate(update, true)));
    assertThat(YjsInterop.base64(Updates.convertV2ToV1(v2))).isEqualTo(YjsInterop.base64(peer.convertUpdate(v2, false)));
    byte[] sv = StateVector.decode(new byte[] {1, 5, 3}).encode(); // client 5 has clocks 0..2
    assertThat(YjsInterop.base64(Updates.diff(update, sv)))
        .isEqualTo(YjsInterop.base64(peer.diffUpdate(update, sv)));
    assertThat(YjsInterop.base64(Updates.diffV2(v2, sv)))
        .isEqualTo(YjsInterop.base64(peer.diffUpdate(v2, sv, true)));
  }

  @Test
  void formatAndEmbedValues_asJsonText_readAndWrittenAgainAsYjs() {
    // Format marks and embeds are JSON text in v1 too (any value in v2): every v1 update carries them that way.
    // Unlike JSON content, Yjs reads them with JSON.parse alone: "undefined" fails the update there (not here).
    Map<String, String> roots = Map.of("t", "text");
    for (String json : ODD_JSON) {
      byte[] format = update(Content.FORMAT, "t", null, e -> {
        e.writeVarString("k");
        e.writeVarString(json);
      });
      byte[] embed = update(Content.EMBED, "t", null, e -> e.writeVarString(json));
      // An embed of null (no Yjs client can insert one) reads as Delta.NULL_EMBED, Yjs's {insert: null}
      for (byte[] update : List.of(format, embed)) {
        Doc doc = Doc.newBuilder().clientId(9).build();
        doc.getText("t");
        peer.newDoc("legacy-format", 9, true, roots);
        try {
          // Yjs reads these with JSON.parse alone, which fails on "undefined"; we read it as undefined, as we write
          // an undefined value (Yjs cannot write one in v1: it throws), so that a state we stored loads again
          boolean theirs = fails(() -> peer.applyUpdate("legacy-format", update));
          assertThat(theirs).as("Yjs fails on %s", json).isEqualTo(json.equals("undefined"));
          doc.applyUpdate(update);
          if (theirs) {
            continue;
          }
          assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("state after %s", json)
              .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate("legacy-format", null)));
          assertThat(YjsInterop.base64(doc.encodeStateAsUpdateV2())).as("v2 state after %s", json)
              .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate("legacy-format", null, true)));
          assertThat(YjsInterop.base64(Updates.convertV1ToV2(update))).as("v1 to v2 of %s", json)
              .isEqualTo(YjsInterop.base64(peer.convertUpdate(update, true)));
          Twins.assertSameRoots(peer, doc, "legacy-format", roots, "after " + json);
        } finally {
          peer.drop("legacy-format");
        }
      }
    }
  }

  @Test
  void jsonContent_thatIsNoJson_failsTheUpdateOnBothSides() {
    for (String bad : List.of("{", "NaN", "", "undefine", "[1,]", "'x'", "01")) {
      byte[] update = jsonContentUpdate(List.of("1", bad), null);
      Doc doc = Doc.newBuilder().clientId(9).build();
      boolean ours = fails(() -> doc.applyUpdate(update));
      peer.newDoc("legacy-bad", 9, true, Map.of("a", "array"));
      try {
        boolean theirs = fails(() -> peer.applyUpdate("legacy-bad", update));
        assertThat(ours).as("we fail on JSON content %s", bad).isEqualTo(theirs);
        assertThat(doc.getArray("a").toList()).as("after %s", bad).isEmpty();
        assertThat(doc.encodeStateVector()).isEqualTo(peer.encodeStateVector("legacy-bad"));
      } finally {
        peer.drop("legacy-bad");
      }
    }
  }

  private static boolean fails(Runnable r) {
    try {
      r.run();
      return false;
    } catch (RuntimeException e) {
      return true;
    }
  }
}
