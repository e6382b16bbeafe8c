package ai.candlefish.collab.server.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Counts the bytes a client sends after its upgrade and before it is authenticated, below the WebSocket frame
 * decoder: past the unauthenticated budget the connection is closed with {@code CloseCodes.POLICY_VIOLATION} and
 * nothing more is passed on. So the budget bounds what an unauthenticated client makes the server buffer, however
 * large the frame it announces (the frame decoder alone would buffer up to the maximum message size). The
 * {@link Connection} removes it once the client is authenticated.
 *
 * <p>One instance per channel; event loop only.
 */
public final class UnauthenticatedBudget extends ChannelInboundHandlerAdapter {
  /** Its name in the pipeline. */
  public static final String NAME = "unauthenticated-budget";

  private final long budget;
  private final Runnable onExceeded;
  private long received;
  private boolean exceeded;

  /**
   * @param onExceeded closes the connection (once, on the event loop) when the budget is exceeded
   */
  public UnauthenticatedBudget(long budget, Runnable onExceeded) {
    this.budget = budget;
    this.onExceeded = onExceeded;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (exceeded) {
      ReferenceCountUtil.release(msg);
      return;
    }
    // Bytes below the WebSocket decoder; whole frames on a bridged connection (the host decoded them).
    int size = msg instanceof ByteBuf buf ? buf.readableBytes()
        : msg instanceof ByteBufHolder holder ? holder.content().readableBytes() : -1;
    if (size >= 0) {
      received += size;
      if (received > budget) {
        exceeded = true;
        ReferenceCountUtil.release(msg);
        // Not an exception up the pipeline: Netty's WebSocket handler would drop the connection without a close frame.
        onExceeded.run();
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }
}
