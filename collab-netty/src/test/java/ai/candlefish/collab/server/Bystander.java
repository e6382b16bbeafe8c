package ai.candlefish.collab.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.spi.DocumentKey;
import ai.candlefish.collab.testkit.ServerWatch;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An honest user of one document while a test attacks the server: two y-websocket clients over real sockets (one
 * edits, the other must see the edit: an edit's round trip through the server) and a host handle on the document
 * (a no-op on the document's thread: how long that thread's queue is). They edit their own root text,
 * "bystander", so that the test's own text "t" stays as the test wrote it. {@link #watch} times them during the
 * attack with a {@link ServerWatch}.
 *
 * <p>Not thread-safe: the watch's thread runs the round trips.
 */
final class Bystander implements AutoCloseable {
  /**
   * The most threads a server with the default pools may have (event loops: one per core, allowed two, Netty's own
   * default; documents: one per core; blocking: 16; authentication: 4; the timer), and 8 for a server of the test
   * before that is still ending its threads.
   */
  static final int MAX_SERVER_THREADS = 3 * Runtime.getRuntime().availableProcessors() + 16 + 4 + 1 + 8;

  /**
   * How much Netty's pooled direct memory may grow: loose, since what its allocator keeps for reuse varied by up to
   * 10 MiB between runs of the same attack (7 MiB for a flood of 240 KB); it catches a server that buffers tens of
   * megabytes off the heap. The heap bounds are the tight ones.
   */
  static final long DIRECT_BOUND = 16 << 20;

  private final String document;
  private final YClient writer;
  private final YClient reader;
  private final DocumentHandle handle;
  private int edits;

  private Bystander(String document, YClient writer, YClient reader, DocumentHandle handle) {
    this.document = document;
    this.writer = writer;
    this.reader = reader;
    this.handle = handle;
  }

  /** Joins {@code document} of tenant acme as "bob" (twice) and waits until both clients are synced. */
  static Bystander join(CollabServer server, String document) {
    YClient writer = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/" + document + "?token=bob"));
    YClient reader = YClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/" + document + "?token=bob"));
    writer.awaitSynced();
    reader.awaitSynced();
    return new Bystander(document, writer, reader,
        server.openDocument(DocumentKey.of("acme", document)).join());
  }

  /** One edit by the writer, until the reader has it. */
  void edit() {
    String mark = "[" + (++edits) + "]";
    writer.withDoc(d -> {
      d.getText("bystander").insert(d.getText("bystander").length(), mark);
      return null;
    });
    await("the bystander's edit " + mark + " of " + document).atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(2))
        .until(() -> reader.withDoc(d -> d.getText("bystander").toString().endsWith(mark)));
  }

  /** A no-op on the document's thread, until it ran. */
  void noOp() throws Exception {
    handle.read(d -> null).get(30, TimeUnit.SECONDS);
  }

  /** What the reader has of the bystander's edits: what the server accepted and passed on. */
  String seen() {
    return reader.withDoc(d -> d.getText("bystander").toString());
  }

  /**
   * Nothing accepted is lost: closes the bystanders and {@code server} (which stores everything), starts another
   * server with {@code restart} on the same store, and checks that it has every edit each bystander's reader saw.
   */
  static void assertKeptAfterRestart(CollabServer server, Supplier<CollabServer> restart,
      List<Bystander> bystanders) {
    Map<String, String> seen = new LinkedHashMap<>();
    for (Bystander b : bystanders) {
      seen.put(b.document, b.seen());
      b.close();
    }
    server.close();
    CollabServer restarted = restart.get();
    seen.forEach((document, text) -> {
      assertThat(text).as("the bystander's edits of " + document).isNotEmpty();
      try (DocumentHandle h = restarted.openDocument(DocumentKey.of("acme", document)).join()) {
        assertThat(h.read(d -> d.getText("bystander").toString()).join())
            .as("the bystander's edits of " + document + " after a restart").isEqualTo(text);
      }
    });
  }

  /** Whether both clients are still connected. */
  boolean connected() {
    return !writer.closed.isDone() && !reader.closed.isDone();
  }

  /**
   * A watch of {@code attack} that times, for each bystander, its edit round trip and a no-op on its document's
   * thread; counts the server's threads ("collab-*", at most {@link #MAX_SERVER_THREADS}); and samples Netty's
   * direct memory (where inbound and outbound bytes wait) with a bound of {@link #DIRECT_BOUND}. Set the heap
   * bound, then {@link ServerWatch#start()}.
   */
  static ServerWatch watch(String attack, List<Bystander> bystanders) {
    ServerWatch watch = ServerWatch.of(attack).threads("collab-", MAX_SERVER_THREADS)
        .gauge("direct memory", Bystander::directMemory, DIRECT_BOUND);
    for (Bystander b : bystanders) {
      watch.roundTrip("edit on " + b.document, b::edit).roundTrip("no-op on " + b.document, b::noOp);
    }
    return watch;
  }

  /**
   * What Netty's allocators hold off the heap (the server's and the test clients'): the default allocator's chunks,
   * and the large frames the server encodes into unpooled buffers of their own (see {@code BinaryFrames}).
   */
  static long directMemory() {
    long pooled = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p
        ? p.metric().usedDirectMemory() : 0;
    return pooled + UnpooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
  }

  /** Closes the handle and both clients; closing again does nothing. */
  @Override
  public void close() {
    handle.close();
    writer.close();
    reader.close();
  }
}
