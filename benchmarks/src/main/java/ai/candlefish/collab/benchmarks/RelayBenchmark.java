package ai.candlefish.collab.benchmarks;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.internal.codec.Lib0Encoder;
import ai.candlefish.collab.server.codec.ywebsocket.YWebsocketProtocol;
import ai.candlefish.collab.server.internal.BinaryFrames;
import ai.candlefish.collab.server.internal.ClientMessage;
import ai.candlefish.collab.server.internal.MessageDecoder;
import ai.candlefish.collab.server.internal.ServerMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The server's relay path for one y-websocket update, on {@link EmbeddedChannel}s (no sockets, no threads): the
 * sender's frame is decoded by the y-websocket codec, applied to the server's document (about 100,000 characters in
 * 2,000 pieces), and the resulting update is encoded once into a WebSocket frame, which is written to every other
 * client of the document (as the server does, see {@code SharedFrames}; the frames are then released). What it
 * leaves out: the thread hops and the socket writes.
 *
 * <pre>
 * ./mvnw -B -ntp -q -pl benchmarks -am package -DskipTests
 * java -jar benchmarks/target/benchmarks.jar RelayBenchmark -prof gc
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dio.netty.leakDetection.level=disabled"})
@State(Scope.Thread)
public class RelayBenchmark {
  /** Prepared once per trial, more than a trial relays: none is applied twice. */
  static final int UPDATES = 1_000_000;

  /** How many other clients the update is sent to. */
  @Param({"1", "10", "100"})
  public int receivers;

  private List<byte[]> frames;
  private Doc serverDoc;
  private byte[] relayed;
  private final MessageDecoder decoder = YWebsocketProtocol.INSTANCE.decoder("doc");
  private EmbeddedChannel sender;
  private final List<EmbeddedChannel> others = new ArrayList<>();
  private int next;

  @Setup(Level.Trial)
  public void prepare() {
    frames = new ArrayList<>(UPDATES);
    for (byte[] u : HotPathsBenchmark.typing(UPDATES)) {
      Lib0Encoder out = new Lib0Encoder();
      out.writeVarUint(0); // y-websocket: a sync message
      out.writeUint8Array(SyncProtocol.update(u).encode());
      frames.add(out.toByteArray());
    }
    sender = channel();
    for (int i = 0; i < receivers; i++) {
      others.add(channel());
    }
  }

  private static EmbeddedChannel channel() {
    return new EmbeddedChannel(new ChannelInboundHandlerAdapter());
  }

  @Setup(Level.Iteration)
  public void resetDocument() {
    serverDoc = Doc.newBuilder().clientId(9).build();
    serverDoc.applyUpdate(HotPathsBenchmark.largeDoc(1).encodeStateAsUpdate());
    serverDoc.onUpdate((u, origin, txn) -> relayed = u);
    next = 0;
  }

  @Benchmark
  public int relayOneUpdate() {
    // As the session handler does with each message the frame codec passes on.
    BinaryWebSocketFrame in = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frames.get(next++)));
    ClientMessage.Sync sync;
    try {
      sync = (ClientMessage.Sync) decoder.decode(in);
    } finally {
      in.release();
    }
    serverDoc.applyUpdate(sync.payload(), sender);
    ServerMessage message = ServerMessage.Sync.update("doc", relayed);
    ByteBuf shared = BinaryFrames.encode(YWebsocketProtocol.INSTANCE, ByteBufAllocator.DEFAULT, message);
    int bytes = 0;
    for (EmbeddedChannel other : others) {
      other.writeOutbound(shared.retainedDuplicate());
      ByteBuf frame = other.readOutbound();
      bytes += frame.readableBytes();
      frame.release();
    }
    shared.release();
    return bytes;
  }
}
