package ai.candlefish.collab.redis;

import ai.candlefish.collab.spi.DocumentKey;

/**
 * The Redis names of one cluster (one key prefix). A document is named {@code <tenant length>:<tenant>/<name>}, which
 * no other key gives (a tenant may contain {@code /}, but its length says where it ends). Immutable.
 */
final class Keys {
  final String prefix;
  final String nodes;

  Keys(String prefix) {
    this.prefix = prefix;
    this.nodes = prefix + "nodes";
  }

  private static String doc(DocumentKey key) {
    return key.tenant().length() + ":" + key.tenant() + "/" + key.name();
  }

  /** The document's stream of stored updates. */
  String stream(DocumentKey key) {
    return prefix + "s:" + doc(key);
  }

  /** The counter that numbers a stream's entries: the stream's key with {@code s:} replaced by {@code q:}. */
  String counter(String stream) {
    return prefix + "q:" + stream.substring(prefix.length() + 2);
  }

  /** The document's channel: presence, and a copy of each entry of its stream. */
  String awareness(DocumentKey key) {
    return prefix + "a:" + doc(key);
  }
}
