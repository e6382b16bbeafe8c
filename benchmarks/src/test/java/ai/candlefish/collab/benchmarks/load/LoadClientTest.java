package ai.candlefish.collab.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.StateVector;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Load clients on {@link EmbeddedChannel}s, speaking y-websocket: what they send, what they count, and what the
 * convergence check sees of them.
 */
class LoadClientTest {
  private final LatencyTracker tracker = new LatencyTracker();
  private final LoadClient.Counters counters = new LoadClient.Counters();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void close() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  /** A client of document "d" that has synced with a server whose document is {@code server}. */
  private LoadClient open(int index, boolean replica, byte[] preload, Doc server) {
    LoadClient client = new LoadClient(index, "d", 0, YWebsocketLoadProtocol.INSTANCE, tracker, counters, 1, replica,
        42 + index);
    if (preload != null) {
      client.preload(preload);
    }
    EmbeddedChannel channel = new EmbeddedChannel(client);
    channels.add(channel);
    channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
    channel.writeInbound(frame(SyncProtocol.step2(server, StateVector.empty().encode())));
    assertThat(client.synced).isDone();
    channel.outboundMessages().forEach(m -> ((WebSocketFrame) m).release()); // its step 1 and awareness
    channel.outboundMessages().clear();
    return client;
  }

  private EmbeddedChannel channel(int i) {
    return channels.get(i);
  }

  private static void receive(EmbeddedChannel channel, byte[] update) {
    channel.writeInbound(frame(SyncProtocol.update(update)));
  }

  private static BinaryWebSocketFrame frame(SyncMessage message) {
    return new BinaryWebSocketFrame(Unpooled.wrappedBuffer(YWebsocketLoadProtocol.syncFrame(message)));
  }

  private static byte[] edit(Doc author, int index, String text) {
    List<byte[]> updates = new ArrayList<>();
    try (var listening = author.onUpdate((u, origin, txn) -> updates.add(u))) {
      author.getText(LoadClient.TEXT).insert(index, text);
    }
    return updates.get(0);
  }

  private static LoadClient.Snapshot snapshot(LoadClient client, EmbeddedChannel channel) {
    var snapshot = client.snapshot();
    channel.runPendingTasks();
    return snapshot.getNow();
  }

  /** Runs the client's scheduled edits for {@code millis} ms of the channel's clock, then stops them. */
  private void editFor(LoadClient client, EmbeddedChannel channel, int millis) {
    counters.stopped = false; // the clients share it: the previous one's stop set it
    client.startEditing(1000);
    channel.runPendingTasks();
    for (int i = 0; i < millis; i++) {
      channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      channel.runScheduledPendingTasks();
    }
    client.stop();
    channel.runPendingTasks();
  }

  /** The Yjs updates the client sent (its edits), in order. */
  private static List<byte[]> sentUpdates(EmbeddedChannel channel) {
    List<byte[]> updates = new ArrayList<>();
    for (Object m : channel.outboundMessages()) {
      ByteBuf content = ((WebSocketFrame) m).content();
      SyncMessage sync = SyncMessage.decode(ByteBufUtil.getBytes(content, content.readerIndex() + 1,
          content.readableBytes() - 1));
      if (sync instanceof SyncMessage.Update u) {
        updates.add(u.update());
      }
      ((WebSocketFrame) m).release();
    }
    channel.outboundMessages().clear();
    return updates;
  }

  @Test
  void edits_inALongText_landInItsFirstEditWindowCharacters() {
    String filler = ".".repeat(5 * LoadClient.EDIT_WINDOW);
    Doc author = Doc.newBuilder().clientId(1).build();
    LoadClient client = open(0, true, edit(author, 0, filler), Doc.create());

    editFor(client, channel(0), 50);

    long edits = tracker.sentCount();
    assertThat(edits).isGreaterThanOrEqualTo(40);
    String text = snapshot(client, channel(0)).text();
    // Each edit inserts 1-3 letters: the filler after the window plus what was inserted is untouched.
    assertThat(text.length()).isBetween(filler.length() + (int) edits, filler.length() + 3 * (int) edits);
    assertThat(text.substring(LoadClient.EDIT_WINDOW + 3 * (int) edits)).matches("\\.+");
    assertThat(text.substring(0, LoadClient.EDIT_WINDOW + 3 * (int) edits).replace(".", "")).hasSize(
        text.length() - filler.length());
  }

  @Test
  void remoteUpdate_receivedTwice_isOneDelivery_andIsAppliedOnce() {
    Doc author = Doc.newBuilder().clientId(7).build();
    byte[] update = edit(author, 0, "abc");
    LoadClient client = open(0, true, null, Doc.create());
    tracker.sent(update, 1, System.nanoTime());

    receive(channel(0), update);
    receive(channel(0), update);

    assertThat(tracker.deliveredCount()).isEqualTo(1);
    assertThat(tracker.unmatchedCount()).isZero();
    assertThat(tracker.undelivered()).isZero();
    assertThat(snapshot(client, channel(0)).text()).isEqualTo("abc");
  }

  @Test
  void remoteUpdate_mergedByTheServer_deliversEachUpdateItHolds_andOneReceivedLaterOnlyWhatIsNew() {
    Doc author = Doc.newBuilder().clientId(7).build();
    byte[] first = edit(author, 0, "ab");
    byte[] second = edit(author, 2, "cd");
    byte[] third = edit(author, 0, "e");
    LoadClient client = open(0, true, null, Doc.create());
    tracker.sent(first, 1, System.nanoTime());
    tracker.sent(second, 1, System.nanoTime());
    tracker.sent(third, 1, System.nanoTime());

    receive(channel(0), Updates.merge(List.of(first, second)));
    assertThat(tracker.deliveredCount()).isEqualTo(2);
    receive(channel(0), Updates.merge(List.of(second, third))); // a late copy of the second with the third

    assertThat(tracker.deliveredCount()).isEqualTo(3);
    assertThat(tracker.unmatchedCount()).isZero();
    assertThat(tracker.undelivered()).isZero();
    assertThat(snapshot(client, channel(0)).text()).isEqualTo("eabcd");
  }

  @Test
  void remoteUpdate_echoOfTheClientsOwnEdit_isNoDelivery() {
    LoadClient client = open(0, false, null, Doc.create());
    editFor(client, channel(0), 3);
    List<byte[]> own = sentUpdates(channel(0));
    assertThat(own).isNotEmpty();

    own.forEach(u -> receive(channel(0), u));

    assertThat(counters.echoes.sum()).isEqualTo(own.size());
    assertThat(tracker.deliveredCount()).isZero();
    assertThat(tracker.undelivered()).isEqualTo(own.size()); // its one receiver has not received them
  }

  @Test
  void edits_ofClientsWithoutReplicas_nameOnlyStructsTheServerHolds_andTheServerConvergesWithAReplica() {
    Doc initial = Doc.newBuilder().clientId(1).build();
    edit(initial, 0, "0123456789");
    Doc server = Doc.newBuilder().clientId(2).build();
    server.applyUpdate(initial.encodeStateAsUpdate());
    LoadClient a = open(10, false, null, server);
    LoadClient b = open(11, false, null, server);
    LoadClient replica = open(12, true, null, server);
    editFor(a, channel(0), 40);
    editFor(b, channel(1), 40);
    List<byte[]> fromA = sentUpdates(channel(0));
    List<byte[]> fromB = sentUpdates(channel(1));

    // The server gets each client's edits in order, the two clients' interleaved; the replica receives them all.
    for (int i = 0; i < Math.max(fromA.size(), fromB.size()); i++) {
      for (List<byte[]> from : List.of(fromB, fromA)) {
        if (i < from.size()) {
          server.applyUpdate(from.get(i));
          assertThat(server.hasPendingUpdates()).as("edit %d names a struct the server does not hold", i).isFalse();
          receive(channel(2), from.get(i));
        }
      }
    }
    LoadClient.Snapshot serverState = new LoadClient.Snapshot(server.getText(LoadClient.TEXT).toString(),
        server.encodeStateVector(), true);
    var snapshots = Map.of(a, a.snapshot(), b, b.snapshot(), replica, replica.snapshot());
    channels.forEach(EmbeddedChannel::runPendingTasks);

    assertThat(fromA).hasSizeGreaterThan(20);
    assertThat(fromB).hasSizeGreaterThan(20);
    assertThat(serverState.text()).hasSizeGreaterThanOrEqualTo(10 + fromA.size() + fromB.size());
    assertThat(snapshots.get(replica).getNow().text()).isEqualTo(serverState.text());
    // a and b hold only their own edits and the initial text, but clocks: theirs, and none received.
    assertThat(snapshots.get(a).getNow().text()).isNull();
    assertThat(LoadGenerator.compare("d", serverState, List.of(replica), snapshots)).isNull();
    assertThat(LoadGenerator.compare("d", serverState, List.of(replica, a), snapshots))
        .startsWith("d: client 10 received the clocks");
  }

  @Test
  void compare_aClientThatMissedAnUpdate_isReportedAsDiverged_withOrWithoutAReplica() {
    Doc server = Doc.newBuilder().clientId(7).build();
    byte[] first = edit(server, 0, "abc");
    byte[] second = edit(server, 3, "d");
    LoadClient all = open(1, true, null, Doc.create());
    LoadClient missed = open(2, true, null, Doc.create());
    LoadClient allCounted = open(3, false, null, Doc.create());
    LoadClient missedCounted = open(4, false, null, Doc.create());
    for (int i = 0; i < 4; i++) {
      receive(channel(i), first);
      if (i % 2 == 0) {
        receive(channel(i), second);
      }
    }
    LoadClient.Snapshot serverState = new LoadClient.Snapshot(server.getText(LoadClient.TEXT).toString(),
        server.encodeStateVector(), true);
    var snapshots = Map.of(all, all.snapshot(), missed, missed.snapshot(), allCounted, allCounted.snapshot(),
        missedCounted, missedCounted.snapshot());
    channels.forEach(EmbeddedChannel::runPendingTasks);

    assertThat(LoadGenerator.compare("d", serverState, List.of(all, allCounted), snapshots)).isNull();
    assertThat(LoadGenerator.compare("d", serverState, List.of(all, missed), snapshots))
        .isEqualTo("d: client 2 has 3 characters, the server 4");
    assertThat(LoadGenerator.compare("d", serverState, List.of(allCounted, missedCounted), snapshots))
        .startsWith("d: client 4 received the clocks");
  }

  @Test
  void remoteUpdate_afterAGap_isCountedAsDelivered_butTheConvergenceCheckFindsTheGap() {
    Doc server = Doc.newBuilder().clientId(7).build();
    byte[] first = edit(server, 0, "abc");
    byte[] second = edit(server, 3, "d");
    LoadClient client = open(0, false, null, Doc.create());
    tracker.sent(first, 1, System.nanoTime());
    tracker.sent(second, 1, System.nanoTime());

    receive(channel(0), second); // the server skipped the first

    assertThat(tracker.deliveredCount()).isEqualTo(1);
    assertThat(tracker.undelivered()).isEqualTo(1);
    LoadClient.Snapshot serverState = new LoadClient.Snapshot(server.getText(LoadClient.TEXT).toString(),
        server.encodeStateVector(), true);
    var snapshots = Map.of(client, client.snapshot());
    channel(0).runPendingTasks();
    assertThat(LoadGenerator.compare("d", serverState, List.of(client), snapshots))
        .startsWith("d: client 0 received the clocks");
  }
}
