package ai.candlefish.collab.client.internal;

/** Constants of collab/1 on the client side. */
final class ClientProtocol {
  private ClientProtocol() {}

  /** The WebSocket subprotocol the client asks for; the server must answer with it. */
  static final String SUBPROTOCOL = "collab.v1";
}
