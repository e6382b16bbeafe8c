package ai.candlefish.collab.testkit;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;

/**
 * A WebSocket client written byte by byte on a plain socket, for attacks a well-behaved client library cannot make:
 * dripped headers, many frames in one TCP write, pings it never reads the answers to, reading the server's close
 * code frame by frame. Used against the embedded port (collab-netty) and the application's own port (the starter's
 * servlet and reactive transports) alike.
 */
public final class RawWebSocket {
  private static final String UPGRADE = "Upgrade: websocket\r\nConnection: Upgrade\r\n"
      + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n";
  private static final byte[] MASK = {1, 2, 3, 4};

  private RawWebSocket() {}

  /** A socket to the server on {@code port}, reads timing out after 10 s. */
  public static Socket open(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    return socket;
  }

  /** Sends an upgrade request for {@code pathAndQuery} with {@code headers}; returns the status line. */
  public static String upgrade(Socket socket, String pathAndQuery, String headers) throws IOException {
    socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: x\r\n" + UPGRADE + headers
        + "\r\n").getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    for (int b; !head.toString().endsWith("\r\n\r\n") && (b = in.read()) >= 0; ) {
      head.append((char) b);
    }
    return head.toString().lines().findFirst().orElse("");
  }

  /** Binary frames of {@code payloads}, masked as a client must, one after another in one array (one write). */
  public static byte[] binaryFrames(byte[]... payloads) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] payload : payloads) {
      out.writeBytes(frame(0x82, payload));
    }
    return out.toByteArray();
  }

  /**
   * One frame of {@code payload}, masked as a client must, whose first byte (FIN bit and opcode) is
   * {@code finAndOpcode}: 0x82 a whole binary message, 0x81 a whole text message, 0x02 the first fragment of a
   * binary message, 0x00 a continuation, 0x80 the last continuation, 0x89 a ping.
   */
  public static byte[] frame(int finAndOpcode, byte[] payload) {
    return frame(finAndOpcode, payload, MASK);
  }

  /** As {@link #frame(int, byte[])}, masked with the four bytes of {@code mask}. */
  public static byte[] frame(int finAndOpcode, byte[] payload, byte[] mask) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
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
   * Writes {@code count} pings of 125 bytes to {@code out}, 512 to a TCP write, on a thread of its own, and waits up
   * to {@code seconds} for it; true if they were all written (the server read them), false if the server closed the
   * connection meanwhile or they were not written in time.
   */
  public static boolean floodPings(OutputStream out, int count, int seconds) throws InterruptedException {
    byte[] ping = frame(0x89, new byte[125]);
    byte[] pings = new byte[ping.length * 512];
    for (int i = 0; i < 512; i++) {
      System.arraycopy(ping, 0, pings, i * ping.length, ping.length);
    }
    boolean[] written = new boolean[1];
    Thread writer = new Thread(() -> {
      try {
        for (int i = 0; i < count / 512; i++) {
          out.write(pings);
        }
        written[0] = true;
      } catch (IOException e) {
        // closed while writing
      }
    }, "ping-flood");
    writer.start();
    writer.join(seconds * 1000L);
    boolean done = !writer.isAlive();
    writer.interrupt();
    return done && written[0];
  }

  /**
   * Reads frames until the server's close frame and returns its code (frame by frame: the server drops the
   * connection a while after its close frame, and a reset would lose what a read-all still held); 1005 for a close
   * frame without a code, -1 if the connection ended without one.
   */
  public static int closeCode(InputStream in) throws IOException {
    DataInputStream frames = new DataInputStream(in);
    try {
      while (true) {
        int opcode = frames.readUnsignedByte() & 0x0F;
        long length = frames.readUnsignedByte() & 0x7F;
        if (length == 126) {
          length = frames.readUnsignedShort();
        } else if (length == 127) {
          length = frames.readLong();
        }
        if (opcode == 8) {
          return length < 2 ? 1005 : frames.readUnsignedShort();
        }
        frames.skipNBytes(length);
      }
    } catch (EOFException | SocketException e) {
      return -1;
    }
  }
}
