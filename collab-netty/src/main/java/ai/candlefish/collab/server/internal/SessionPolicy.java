package ai.candlefish.collab.server.internal;

import ai.candlefish.collab.server.CloseCodes;
import java.util.List;

/**
 * What a wire protocol's sessions do differently, as named answers, so that {@link Connection} and
 * {@link SharedDocument} hold no protocol flags. Each {@link WireProtocol} names its policy.
 *
 * <ul>
 *   <li>{@link #Y_WEBSOCKET}: one document per socket, named by the URL and authenticated by the URL's token;
 *       a document that cannot be served closes the socket, and so does the token's expiry (no way to refresh it).
 *   <li>{@link #HOCUSPOCUS}: many documents per socket, each opened by a token message of its own; a document that
 *       may never be served is refused on its own ("permission denied", final for the provider) and the socket stays;
 *       one that cannot be served now (server busy, store or authenticator unavailable) closes the socket with that
 *       code, since its provider asks again only when it reconnects. A token message for an open document refreshes
 *       its token; its expiry or revocation refuses that document only, and shortly before its expiry the provider is
 *       asked for a fresh one. A provider that asks for the document's state again ({@code forceSync}) counts on the
 *       server's step 1 as well. A session-aware provider addresses its document as {@code name\0session} ({@link
 *       #documentName}).
 *   <li>{@link #COLLAB_V1}: many documents per socket, opened by name after one token for the connection
 *       ({@code Hello}); another {@code Hello} refreshes that token, and its expiry or revocation closes the socket.
 *       Otherwise as Hocuspocus.
 * </ul>
 *
 * <p>Stateless; the methods that act on a connection run on its event loop.
 */
public enum SessionPolicy {
  /** y-websocket: see the class comment. */
  Y_WEBSOCKET {
    @Override
    void start(Connection connection, String urlToken) {
      connection.authenticateConnection(urlToken);
    }

    @Override
    void refuseDocument(Connection connection, String document, int code, String reason) {
      if (code == CloseCodes.UNAUTHORIZED || code == CloseCodes.FORBIDDEN) {
        // y-websocket's only refusal is "permission denied", which its provider logs with the reason.
        connection.send(new ServerMessage.Refused("", 0, code, reason));
      }
      connection.shut(code, reason);
    }

    @Override
    void notOpen(Connection connection, String document) {
      connection.close(CloseCodes.PROTOCOL_ERROR, "document not open");
    }

    @Override
    void grantEnded(Connection connection, List<String> documents, int code, String reason) {
      connection.deny(code, reason);
    }

    @Override
    boolean answersRepeatedStep1WithStep1() {
      return false;
    }

    @Override
    boolean tellsStoreStatus() {
      return false; // y-websocket has no message for it (and no acknowledgements to wait for)
    }
  },

  /** Hocuspocus 4.x: see the class comment. */
  HOCUSPOCUS {
    @Override
    void refuseDocument(Connection connection, String document, int code, String reason) {
      if (isTransient(code)) {
        // @hocuspocus/provider takes "permission denied" as final: it asks for a document again only when its
        // socket reconnects (with backoff). So a refusal it may retry closes the socket, and every provider on it
        // reconnects and syncs again; nothing is lost.
        connection.shut(code, reason);
      } else {
        super.refuseDocument(connection, document, code, reason);
      }
    }

    @Override
    void tokenExpiring(Connection connection, List<String> documents) {
      for (String document : documents) {
        connection.send(new ServerMessage.TokenRequest(document));
      }
    }

    @Override
    String documentName(String address) {
      int session = address.indexOf('\0');
      return session < 0 ? address : address.substring(0, session);
    }
  },

  /** collab/1: see the class comment. */
  COLLAB_V1 {
    @Override
    void grantEnded(Connection connection, List<String> documents, int code, String reason) {
      connection.deny(code, reason);
    }
  };

  /**
   * Whether a refusal with {@code code} says "try again later" (the server going away, failing, busy or waiting for its
   * store: 1001, 1011, 1013, 4500-4599) rather than "never with this request" (4400-4499, and the client's own errors).
   */
  static boolean isTransient(int code) {
    return code == CloseCodes.GOING_AWAY || code == CloseCodes.INTERNAL_ERROR || code == CloseCodes.TRY_AGAIN_LATER
        || code >= 4500 && code < 4600;
  }

  /**
   * The name of the document that the client addresses as {@code address}: the default, the address itself.
   * Hocuspocus providers with {@code sessionAwareness: true} address it as {@code name\0session}, so that several
   * providers of one document can share a socket, each a session of its own (own awareness, own token); the server
   * answers each at its address ({@link AddressedPeer}).
   */
  String documentName(String address) {
    return address;
  }

  /** What connecting means: the default waits for the client's token messages. */
  void start(Connection connection, String urlToken) {
  }

  /**
   * Document {@code document} cannot be served to the client (refused, invalid name, server busy, failed to
   * load, or an update of the client refused for good): the default tells the client and keeps the connection.
   * The caller has counted the refusal: what this sends or closes counts nothing more.
   */
  void refuseDocument(Connection connection, String document, int code, String reason) {
    connection.send(new ServerMessage.Refused(document, 0, code, reason));
  }

  /**
   * The client talks about a document it has not open: the default ignores it (a client may still talk about a
   * document it was refused or has closed).
   */
  void notOpen(Connection connection, String document) {
  }

  /**
   * A token of the client expired or was revoked ({@code code} and {@code reason} say which); {@code documents} were
   * opened with it. The default refuses those documents, one by one, and keeps the connection.
   */
  void grantEnded(Connection connection, List<String> documents, int code, String reason) {
    for (String document : documents) {
      connection.endDocument(document, code, reason);
    }
  }

  /**
   * A token of the client expires soon; {@code documents} were opened with it. The default does nothing: the client
   * refreshes it in time or the documents end at its expiry ({@link #grantEnded}). Hocuspocus asks its provider for
   * a fresh token per document (the provider calls its {@code token} function again and sends the result).
   */
  void tokenExpiring(Connection connection, List<String> documents) {
  }

  /**
   * Whether a client that asks for the state again (a step 1 after the first) gets the server's step 1 with the
   * answer: Hocuspocus's {@code forceSync} acknowledges the step 2 that answers it, and clears the change it counted
   * for asking only then.
   */
  boolean answersRepeatedStep1WithStep1() {
    return true;
  }

  /**
   * Whether the client is told when the document's store fails and recovers ({@link ServerMessage.StoreStatus}):
   * Hocuspocus as a stateless message, collab/1 as {@code StoreStatus}.
   */
  boolean tellsStoreStatus() {
    return true;
  }
}
