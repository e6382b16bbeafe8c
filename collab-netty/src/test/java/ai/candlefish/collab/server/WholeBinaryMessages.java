package ai.candlefish.collab.server;

import java.io.ByteArrayOutputStream;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * A JDK WebSocket listener that hands on each binary message whole (the JDK may deliver one in parts) and asks for
 * the next one after it. With {@code reading} false it never asks for the first, so the server's outbound buffer
 * fills up (a client that never reads). The test clients' common read loop.
 */
abstract class WholeBinaryMessages implements WebSocket.Listener {
  private final ByteArrayOutputStream parts = new ByteArrayOutputStream();
  private final boolean reading;

  WholeBinaryMessages(boolean reading) {
    this.reading = reading;
  }

  /** One whole binary message from the server, on the JDK's thread for this socket. */
  abstract void onMessage(byte[] message);

  @Override
  public void onOpen(WebSocket webSocket) {
    if (reading) {
      webSocket.request(1);
    }
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] bytes = new byte[data.remaining()];
    data.get(bytes);
    parts.write(bytes, 0, bytes.length);
    if (last) {
      onMessage(parts.toByteArray());
      parts.reset();
    }
    webSocket.request(1);
    return null;
  }
}
