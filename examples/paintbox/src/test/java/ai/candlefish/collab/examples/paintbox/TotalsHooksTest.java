package ai.candlefish.collab.examples.paintbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.UpdateLimits;
import ai.candlefish.collab.core.YArray;
import ai.candlefish.collab.core.YMap;
import ai.candlefish.collab.server.CollabServer;
import ai.candlefish.collab.server.DocumentHandle;
import ai.candlefish.collab.spi.Authenticator;
import ai.candlefish.collab.spi.CollabHooks;
import ai.candlefish.collab.spi.DocumentKey;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link TotalsHooks} on a real {@link CollabServer}: changes arrive as a client's updates (a {@link Doc} of its
 * own, applied to the server's copy), and the totals must follow through the host API.
 */
class TotalsHooksTest {
  private final AtomicReference<CollabServer> serverRef = new AtomicReference<>();
  private final AtomicInteger stores = new AtomicInteger();
  private CollabServer server;
  private DocumentHandle handle;
  private final Doc client = Doc.create();

  @BeforeEach
  void start() throws Exception {
    TotalsHooks totals = new TotalsHooks(serverRef::get);
    server = CollabServer.newBuilder()
        .port(0)
        .host("127.0.0.1")
        .authenticator(Authenticator.insecureAllowAll(PaintboxApplication.TENANT))
        .storeDebounce(Duration.ofMillis(20))
        .storeMaxWait(Duration.ofMillis(200))
        .hooks(new CollabHooks() {
          @Override
          public void onChange(DocumentKey key, Doc doc) {
            totals.onChange(key, doc);
          }

          @Override
          public void onStore(DocumentKey key) {
            stores.incrementAndGet();
          }
        })
        .build()
        .start();
    serverRef.set(server);
    handle = open("estimate-abcdefghij");
  }

  @AfterEach
  void stop() {
    handle.close();
    server.close();
  }

  private DocumentHandle open(String name) throws Exception {
    return server.openDocument(DocumentKey.of(PaintboxApplication.TENANT, name)).get(10, TimeUnit.SECONDS);
  }

  private <R> R read(DocumentHandle h, Function<Doc, R> reader) throws Exception {
    return h.read(reader).get(10, TimeUnit.SECONDS);
  }

  /** Sends what the client changed since the server last heard from it, as a connected client would. */
  private void sync(DocumentHandle h) throws Exception {
    byte[] serverState = read(h, Doc::encodeStateVector);
    byte[] update = client.encodeStateAsUpdate(serverState);
    read(h, doc -> {
      doc.applyUpdate(update, "client");
      return null;
    });
  }

  private EstimateTotals storedTotals() throws Exception {
    return read(handle, EstimateTotals::stored);
  }

  @Test
  void onChange_writesTheTotals_andFollowsLaterChanges() throws Exception {
    EstimateTotalsTest.addRoom(client, "living", new Object[] {20, 2, 4.5}, new Object[] {15, 1, 5});
    sync(handle);

    await().atMost(Duration.ofSeconds(10)).until(() -> storedTotals() != null);
    assertThat(storedTotals().grand()).isEqualTo(new BigDecimal("255.00"));

    EstimateTotalsTest.addRoom(client, "kitchen", new Object[] {12.5, 2, 3.2});
    sync(handle);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> storedTotals().grand().equals(new BigDecimal("335.00")));
    assertThat(storedTotals().rooms()).containsOnlyKeys("living", "kitchen");

    client.transact(txn -> client.getArray("rooms").delete(0));
    sync(handle);
    await().atMost(Duration.ofSeconds(10)).until(() -> storedTotals().grand().equals(new BigDecimal("80.00")));
    assertThat(storedTotals().rooms()).containsOnlyKeys("kitchen");
  }

  /**
   * A busy estimate stays loaded while its totals are rewritten after every edit: what the document holds must not
   * grow with the rewrites. Before, three keys rewritten in turn left three collected items each time (~600 bytes by
   * the estimate the server's maxDocumentBytes bounds): after 100 edits, one more edit did not fit 32 KiB.
   */
  @Test
  void onChange_rewritesTheTotalsAfterEveryEdit_withoutTheDocumentGrowing() throws Exception {
    EstimateTotalsTest.addRoom(client, "living", new Object[] {1, 2, 4.5});
    YMap wall = (YMap) ((YArray) ((YMap) client.getArray("rooms").get(0)).get("surfaces")).get(0);
    sync(handle);
    await().atMost(Duration.ofSeconds(10)).until(() -> storedTotals() != null);
    int afterFirst = read(handle, doc -> doc.encodeStateAsUpdate().length);

    for (int area = 2; area <= 100; area++) {
      int value = area;
      client.transact(txn -> wall.set("area", value));
      sync(handle);
      BigDecimal expected = new BigDecimal(value * 9).setScale(2);
      await().atMost(Duration.ofSeconds(10)).until(() -> storedTotals().grand().equals(expected));
    }

    int afterAll = read(handle, doc -> doc.encodeStateAsUpdate().length);
    // Only the numbers grow (the values, clocks and lengths in varints): a few bytes, against ~25 bytes a rewrite.
    assertThat(afterAll).as("encoded, after 100 rewrites").isLessThanOrEqualTo(afterFirst + 64);
    Doc more = Doc.create();
    more.getMap("notes").set("more", "x");
    read(handle, doc -> doc.applyUpdate(more.encodeStateAsUpdate(), "client",
        UpdateLimits.newBuilder().maxDocumentBytes(32 * 1024).build()));
  }

  @Test
  void onChange_writesNothing_whenTheTotalsAreCurrent() throws Exception {
    EstimateTotalsTest.addRoom(client, "living", new Object[] {20, 2, 4.5});
    sync(handle);
    await().atMost(Duration.ofSeconds(10)).until(() -> storedTotals() != null);
    long serverClient = read(handle, Doc::clientId);
    int writesBefore = read(handle, doc -> doc.stateVector().get(serverClient));
    assertThat(writesBefore).as("the server wrote the totals as its own client").isPositive();

    // A change that leaves the totals as they are: the notes, and a room's name.
    int storesBefore = stores.get();
    client.transact(txn -> {
      client.getText("notes").insert(0, "Back door");
      ((YMap) client.getArray("rooms").get(0)).set("name", "Lounge");
    });
    sync(handle);
    await().atMost(Duration.ofSeconds(10)).until(() -> stores.get() > storesBefore);

    // A write, had one been started on that change, runs on the document's thread before this read.
    int writesAfter = read(handle, doc -> doc.stateVector().get(serverClient));
    assertThat(writesAfter).isEqualTo(writesBefore);
    assertThat(storedTotals().grand()).isEqualTo(new BigDecimal("180.00"));
  }

  @Test
  void onChange_leavesOtherDocumentsAlone() throws Exception {
    try (DocumentHandle other = open("scratch")) {
      int storesBefore = stores.get();
      EstimateTotalsTest.addRoom(client, "living", new Object[] {20, 2, 4.5});
      sync(other);
      await().atMost(Duration.ofSeconds(10)).until(() -> stores.get() > storesBefore);

      int totals = read(other, doc -> doc.getMap("totals").size());
      assertThat(totals).isZero();
    }
  }

  @Test
  void onChange_survivesADocumentWhoseRoomsAreNotAnArray() throws Exception {
    Doc hostile = Doc.create();
    hostile.getMap("rooms").set("id", "oops");
    byte[] update = hostile.encodeStateAsUpdate();
    int storesBefore = stores.get();
    read(handle, doc -> {
      doc.applyUpdate(update, "client");
      return null;
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> stores.get() > storesBefore);

    // Still served, and the totals work again for well-formed estimates.
    EstimateTotalsTest.addRoom(client, "living", new Object[] {10, 1, 1});
    try (DocumentHandle fine = open("estimate-0123456789")) {
      sync(fine);
      await().atMost(Duration.ofSeconds(10)).until(() -> read(fine, EstimateTotals::stored) != null);
    }
  }
}
