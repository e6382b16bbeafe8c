package ai.candlefish.collab.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A message on its way to many connections, encoded at most once per wire protocol: the first connection of a
 * protocol to send it encodes its frame ({@link BinaryFrames}), the others write the same bytes. Before, every
 * receiver of a relayed update encoded it again.
 *
 * <p>Thread-safe: the connections' event loops send it at the same time. Made for {@code users} users (one per
 * event loop task of a broadcast), each of which calls {@link #done} when it has sent it to all its connections;
 * the last one releases the frames.
 */
public final class SharedFrames {
  private final ServerMessage message;
  private final AtomicInteger users;
  /** The protocols encoded so far, and their frames; guarded by this. At most one per protocol the server speaks. */
  private WireProtocol[] protocols = new WireProtocol[0];
  private ByteBuf[] frames = new ByteBuf[0];

  SharedFrames(ServerMessage message, int users) {
    this.message = message;
    this.users = new AtomicInteger(users);
  }

  public ServerMessage message() {
    return message;
  }

  /** The message as a frame of {@code protocol}, for one write (the caller owns the returned reference). */
  synchronized ByteBuf frame(WireProtocol protocol, ByteBufAllocator alloc) {
    if (users.get() <= 0) {
      throw new IllegalStateException("frames of " + message.getClass().getSimpleName() + " used after done()");
    }
    for (int i = 0; i < protocols.length; i++) {
      if (protocols[i] == protocol) {
        return frames[i].retainedDuplicate();
      }
    }
    ByteBuf frame = BinaryFrames.encode(protocol, alloc, message);
    int n = protocols.length;
    protocols = Arrays.copyOf(protocols, n + 1);
    frames = Arrays.copyOf(frames, n + 1);
    protocols[n] = protocol;
    frames[n] = frame;
    return frame.retainedDuplicate();
  }

  /** One user is done with the message; the last releases its frames. */
  void done() {
    if (users.decrementAndGet() == 0) {
      synchronized (this) {
        for (ByteBuf frame : frames) {
          frame.release();
        }
        frames = new ByteBuf[0];
        protocols = new WireProtocol[0];
      }
    }
  }
}
