package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Java documents with Yjs twins in a {@link YjsPeer}, fed the same edits and the same syncs. */
final class Twins {
  private Twins() {}

  /** A Java doc with the given roots defined, and its twin {@code id} in the peer with the same client id. */
  static Doc create(YjsPeer peer, String id, long clientId, boolean gc, Map<String, String> roots) {
    Doc doc = Doc.newBuilder().clientId(clientId).gc(gc).build();
    roots.forEach((name, kind) -> root(doc, name, kind));
    peer.newDoc(id, clientId, gc, roots);
    return doc;
  }

  /**
   * Root {@code name} of {@code doc} as {@code kind}: "text", "xmlText", "array", "map", "xmlElement", else an XML
   * fragment.
   */
  static SharedType root(Doc doc, String name, String kind) {
    return switch (kind) {
      case "text" -> doc.getText(name);
      case "xmlText" -> doc.getXmlText(name);
      case "array" -> doc.getArray(name);
      case "map" -> doc.getMap(name);
      case "xmlElement" -> doc.getXmlElement(name);
      default -> doc.getXmlFragment(name);
    };
  }

  /**
   * That {@code doc} reads as its twin {@code id}: each root's JSON (text: string, JSON and delta; XML: string), and
   * the keys of map "m" and the attributes of text "t" (both roots of {@link YjsSurfacePropertyTest#ROOTS}).
   */
  static void assertSameRoots(YjsPeer peer, Doc doc, String id, Map<String, String> roots, String when) {
    Map<String, Object> yjs = peer.snapshot(id, roots);
    assertThat(YjsInterop.rootDifferences(doc, new LinkedHashMap<>(roots), YjsInterop.asMap(yjs.get("values")),
        YjsInterop.asMap(yjs.get("deltas")))).as("%s %s", id, when).isEmpty();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("op", "inspect");
    c.put("id", id);
    c.put("slices", List.of());
    Map<String, Object> inspected = peer.request(c);
    assertThat(doc.getMap("m").keys()).as("m.keys() of %s %s", id, when).isEqualTo(inspected.get("mapKeys"));
    assertThat(YjsSurfacePropertyTest.normalized(YjsSurfacePropertyTest.tagDeep(doc.getText("t").getAttributes())))
        .as("t.getAttributes() of %s %s", id, when).isEqualTo(inspected.get("textAttrs"));
  }

  /**
   * That our encoding of a whole state (or of what a peer that does not know some client lacks) is Yjs's, byte for
   * byte, but for the structs we write and Yjs leaves out: a client's first items of length 0 when another struct
   * follows at their clock (see {@code UpdateWriter.writeStructs}). Where they differ, both must hold the same structs
   * and deletes once those are set aside.
   */
  static void assertSameState(String what, byte[] java, byte[] yjs, boolean v2) {
    if (Arrays.equals(java, yjs)) {
      return;
    }
    DecodedUpdate ours = v2 ? Updates.decodeV2(java) : Updates.decode(java);
    DecodedUpdate theirs = v2 ? Updates.decodeV2(yjs) : Updates.decode(yjs);
    List<DecodedUpdate.Struct> structs = ours.structs();
    List<String> kept = new ArrayList<>();
    boolean atClientStart = false; // only items of length 0 so far of this client
    for (int i = 0; i < structs.size(); i++) {
      DecodedUpdate.Struct s = structs.get(i);
      atClientStart |= i == 0 || structs.get(i - 1).id().client() != s.id().client();
      if (atClientStart && s.length() == 0 && i + 1 < structs.size() && structs.get(i + 1).id().equals(s.id())) {
        continue; // left out by Yjs
      }
      atClientStart = false;
      kept.add(describe(s));
    }
    assertThat(kept).as("%s: structs, but for first items of length 0 (Java vs Yjs)", what)
        .isEqualTo(theirs.structs().stream().map(Twins::describe).toList());
    assertThat(ours.deletes()).as("%s: deletes (Java vs Yjs)", what).isEqualTo(theirs.deletes());
  }

  private static String describe(DecodedUpdate.Struct s) {
    return s.kind() + " " + s.id() + " " + s.length() + " " + s.origin() + " " + s.rightOrigin() + " " + s.parentName()
        + " " + s.parentId() + " " + s.parentSub() + " " + s.content() + " "
        + Json.stringify(YjsInterop.toTagged(s.values()));
  }

  /** Both ways, as sync step 2: each Java doc gets what the other lacks, each twin likewise (origin "remote"). */
  static void sync(YjsPeer peer, String idA, Doc a, String idB, Doc b) {
    b.applyUpdate(a.encodeStateAsUpdate(b.encodeStateVector()), "remote");
    peer.applyUpdate(idB, peer.encodeStateAsUpdate(idA, peer.encodeStateVector(idB)));
    a.applyUpdate(b.encodeStateAsUpdate(a.encodeStateVector()), "remote");
    peer.applyUpdate(idA, peer.encodeStateAsUpdate(idB, peer.encodeStateVector(idA)));
  }
}
