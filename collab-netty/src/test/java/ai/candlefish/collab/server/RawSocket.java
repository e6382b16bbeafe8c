package ai.candlefish.collab.server;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client written byte by byte on a plain socket, for attacks a well-behaved client library cannot make:
 * dripped headers, many frames in one TCP write, reading the server's close code frame by frame.
 */
final class RawSocket {
  private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";

  private RawSocket() {}

  /** A socket to the server on {@code port}, reads timing out after 10 s. */
  static Socket open(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Sends an upgrade request for {@code pathAndQuery} with {@code headers}; returns the status line. */
  static String upgrade(Socket socket, String pathAndQuery, String headers) throws IOException {
    socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: x\r\n" + UPGRADE + headers + "\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    for (int b; !head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0; ) {
      head.append((char) b);
    }
    return head.toString().lines().findFirst().orElse("");
  }

  /** Binary frames of {@code payloads}, masked as a client must, one after another in one array (one write). */
  static byte[] binaryFrames(byte[]... payloads) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] payload : payloads) {
      out.writeBytes(frame(0x82, payload));
    }
    return out.toByteArray();
  }

  /**
   * One frame of {@code payload}, masked as a client must, whose first byte (FIN bit and opcode) is
   * {@code finAndOpcode}: 0x82 a whole binary message, 0x81 a whole text message, 0x01 the first fragment of a text
   * message, 0x80 the last continuation.
   */
  static byte[] frame(int finAndOpcode, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] mask = {1, 2, 3, 4};
    out.write(finAndOpcode);
    if (payload.length < 126) {
      out.write(0x80 | payload.length);
    } else if (payload.length <= 0xFFFF) {
      out.write(0x80 | 126);
      out.write(payload.length >>> 8);
      out.write(payload.length & 0xFF);
    } else {
      out.write(0x80 | 127);
      for (int shift = 56; shift >= 0; shift -= 8) {
        out.write((int) ((long) payload.length >>> shift) & 0xFF);
      }
    }
    out.writeBytes(mask);
    for (int i = 0; i < payload.length; i++) {
      out.write(payload[i] ^ mask[i & 3]);
    }
    return out.toByteArray();
  }

  /**
   * Reads frames until the server's close frame and returns its code (frame by frame: the server drops the
   * connection a while after its close frame, and a reset would lose what a read-all still held).
   */
  static int closeCode(InputStream in) throws IOException {
    DataInputStream frames = new DataInputStream(in);
    while (true) {
      int opcode = frames.readUnsignedByte() & 0x0F;
      long length = frames.readUnsignedByte() & 0x7F;
      if (length == 126) {
        length = frames.readUnsignedShort();
      } else if (length == 127) {
        length = frames.readLong();
      }
      if (opcode == 8) {
        return frames.readUnsignedShort();
      }
      frames.skipNBytes(length);
    }
  }
}
