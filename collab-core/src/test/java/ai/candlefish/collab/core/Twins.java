package ai.candlefish.collab.core;

import java.util.Map;

/** Java documents with Yjs twins in a {@link YjsPeer}, fed the same edits and the same syncs. */
final class Twins {
  private Twins() {}

  /** A Java doc with the given roots defined, and its twin {@code id} in the peer with the same client id. */
  static Doc create(YjsPeer peer, String id, long clientId, boolean gc, Map<String, String> roots) {
    Doc doc = Doc.newBuilder().clientId(clientId).gc(gc).build();
    roots.forEach((name, kind) -> {
      switch (kind) {
        case "text" -> doc.getText(name);
        case "array" -> doc.getArray(name);
        case "map" -> doc.getMap(name);
        default -> doc.getXmlFragment(name);
      }
    });
    peer.newDoc(id, clientId, gc, roots);
    return doc;
  }

  /** Both ways, as sync step 2: each Java doc gets what the other lacks, each twin likewise (origin "remote"). */
  static void sync(YjsPeer peer, String idA, Doc a, String idB, Doc b) {
    b.applyUpdate(a.encodeStateAsUpdate(b.encodeStateVector()), "remote");
    peer.applyUpdate(idB, peer.encodeStateAsUpdate(idA, peer.encodeStateVector(idB)));
    a.applyUpdate(b.encodeStateAsUpdate(a.encodeStateVector()), "remote");
    peer.applyUpdate(idA, peer.encodeStateAsUpdate(idB, peer.encodeStateVector(idA)));
  }
}
