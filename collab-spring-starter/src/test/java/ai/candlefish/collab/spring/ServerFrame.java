package ai.candlefish.collab.spring;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A frame the server sent (not masked), read byte by byte from a raw socket: its opcode and payload. For the contract
 * tests that speak WebSocket by hand on every transport.
 */
record ServerFrame(int opcode, byte[] payload) {
  static final int CLOSE = 8;
  static final int PING = 9;
  static final int PONG = 10;

  /** The next frame on {@code in} (a fragment counts as a frame). */
  static ServerFrame next(DataInputStream in) throws IOException {
    int opcode = in.readUnsignedByte() & 0x0F;
    long length = in.readUnsignedByte() & 0x7F;
    length = length == 126 ? in.readUnsignedShort() : length == 127 ? in.readLong() : length;
    return new ServerFrame(opcode, in.readNBytes(Math.toIntExact(length)));
  }

  /** This close frame's code and reason (1005 if it has no code). */
  Close close() {
    return payload.length < 2 ? new Close(1005, "") : new Close((payload[0] & 0xFF) << 8 | payload[1] & 0xFF,
        new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8));
  }

  /** A close the server sent: its code and reason; -1 if the connection ended without a close frame. */
  record Close(int code, String reason) {}

  /** Whether the stream ends (or is reset) within the socket's timeout, whatever comes before. */
  static boolean ended(InputStream in) throws IOException {
    try {
      while (in.read(new byte[4096]) >= 0) {
        // anything after the close frame
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (SocketException e) {
      return true; // reset
    }
  }
}
