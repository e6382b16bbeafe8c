package ai.candlefish.collab.server.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The documents a connection has open, by name: each one's {@link DocumentSession} and the {@link Grant} it was
 * opened or last refreshed with. Most connections have one document open (a y-websocket connection always has), so
 * the first is kept in a field and a map is made only for a second; two maps (sessions and grants) cost a connection
 * about 200 bytes, and a server holds 10,000s of connections.
 *
 * <p>Not thread-safe: confined to its connection's event loop.
 */
final class OpenDocuments {
  /** One open document. */
  static final class Open {
    final String name;
    final DocumentSession session;
    Grant grant;

    private Open(String name, DocumentSession session, Grant grant) {
      this.name = name;
      this.session = session;
      this.grant = grant;
    }
  }

  /** An open document, or null: never one that is also in {@link #others}. */
  private Open first;
  /** The other open documents, or null while there are none. */
  private Map<String, Open> others;

  /** Open document {@code name}, or null. */
  Open get(String name) {
    if (first != null && first.name.equals(name)) {
      return first;
    }
    return others == null ? null : others.get(name);
  }

  /** The session of open document {@code name}, or null. */
  DocumentSession session(String name) {
    Open open = get(name);
    return open == null ? null : open.session;
  }

  /** The name under which {@code session} is open (the client's address for its document), or null. */
  String nameOf(DocumentSession session) {
    if (first != null && first.session == session) {
      return first.name;
    }
    if (others != null) {
      for (Open open : others.values()) {
        if (open.session == session) {
          return open.name;
        }
      }
    }
    return null;
  }

  boolean contains(String name) {
    return get(name) != null;
  }

  int size() {
    return (first == null ? 0 : 1) + (others == null ? 0 : others.size());
  }

  /** Adds document {@code name}, which must not be open. */
  void add(String name, DocumentSession session, Grant grant) {
    Open open = new Open(name, session, grant);
    if (first == null) {
      first = open;
    } else {
      if (others == null) {
        others = new HashMap<>(4);
      }
      others.put(name, open);
    }
  }

  /** Removes document {@code name}; returns what was open, or null. */
  Open remove(String name) {
    if (first != null && first.name.equals(name)) {
      Open removed = first;
      first = null;
      return removed;
    }
    if (others == null) {
      return null;
    }
    Open removed = others.remove(name);
    if (others.isEmpty()) {
      others = null;
    }
    return removed;
  }

  /** Every open document (a copy). */
  List<Open> all() {
    List<Open> all = new ArrayList<>(size());
    if (first != null) {
      all.add(first);
    }
    if (others != null) {
      all.addAll(others.values());
    }
    return all;
  }

  void clear() {
    first = null;
    others = null;
  }
}
