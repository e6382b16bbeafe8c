package ai.candlefish.collab.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import ai.candlefish.collab.core.StateVector;
import ai.candlefish.collab.core.Updates;
import ai.candlefish.collab.sync.SyncMessage;
import ai.candlefish.collab.sync.SyncProtocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One load client on an {@link EmbeddedChannel}, speaking y-websocket: what it sends and what it counts. */
class LoadClientTest {
  private final LatencyTracker tracker = new LatencyTracker();
  private final LoadClient.Counters counters = new LoadClient.Counters();
  private EmbeddedChannel channel;

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
  }

  private LoadClient open(byte[] preload) {
    LoadClient client = new LoadClient(0, "d", 0, YWebsocketLoadProtocol.INSTANCE, tracker, counters, 1, true, 42);
    if (preload != null) {
      client.preload(preload);
    }
    channel = new EmbeddedChannel(client);
    channel.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
    return client;
  }

  private void receive(byte[] update) {
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

  private String text(LoadClient client) {
    var snapshot = client.snapshot();
    channel.runPendingTasks();
    return snapshot.getNow().text();
  }

  @Test
  void edits_inALongText_landInItsFirstEditWindowCharacters() {
    String filler = ".".repeat(5 * LoadClient.EDIT_WINDOW);
    Doc author = Doc.newBuilder().clientId(1).build();
    LoadClient client = open(edit(author, 0, filler));

    client.startEditing(1000);
    channel.runPendingTasks();
    for (int i = 0; i < 50; i++) {
      channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
      channel.runScheduledPendingTasks();
    }
    client.stop();
    channel.runPendingTasks();

    long edits = tracker.sentCount();
    assertThat(edits).isGreaterThanOrEqualTo(40);
    String text = text(client);
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
    LoadClient client = open(null);
    tracker.sent(update, 1, System.nanoTime());

    receive(update);
    receive(update);

    assertThat(tracker.deliveredCount()).isEqualTo(1);
    assertThat(tracker.unmatchedCount()).isZero();
    assertThat(tracker.undelivered()).isZero();
    assertThat(text(client)).isEqualTo("abc");
  }

  @Test
  void remoteUpdate_mergedByTheServer_deliversEachUpdateItHolds_andOneReceivedLaterOnlyWhatIsNew() {
    Doc author = Doc.newBuilder().clientId(7).build();
    byte[] first = edit(author, 0, "ab");
    byte[] second = edit(author, 2, "cd");
    byte[] third = edit(author, 0, "e");
    LoadClient client = open(null);
    tracker.sent(first, 1, System.nanoTime());
    tracker.sent(second, 1, System.nanoTime());
    tracker.sent(third, 1, System.nanoTime());

    receive(Updates.merge(List.of(first, second)));
    assertThat(tracker.deliveredCount()).isEqualTo(2);
    receive(Updates.merge(List.of(second, third))); // a late copy of the second with the third

    assertThat(tracker.deliveredCount()).isEqualTo(3);
    assertThat(tracker.unmatchedCount()).isZero();
    assertThat(tracker.undelivered()).isZero();
    assertThat(text(client)).isEqualTo("eabcd");
  }
  @Test
  void compare_aClientThatMissedAnUpdate_isReportedAsDiverged_andTheOthersAreNot() {
    Doc server = Doc.newBuilder().clientId(7).build();
    byte[] first = edit(server, 0, "abc");
    byte[] second = edit(server, 3, "d");
    LoadClient probe = new LoadClient(-1, "d", 0, YWebsocketLoadProtocol.INSTANCE, tracker, counters, 0, true, 1);
    LoadClient all = new LoadClient(1, "d", 0, YWebsocketLoadProtocol.INSTANCE, tracker, counters, 1, true, 2);
    LoadClient missed = new LoadClient(2, "d", 0, YWebsocketLoadProtocol.INSTANCE, tracker, counters, 1, true, 3);
    List<EmbeddedChannel> channels = new ArrayList<>();
    for (LoadClient c : List.of(probe, all, missed)) {
      EmbeddedChannel ch = new EmbeddedChannel(c);
      ch.pipeline().fireUserEventTriggered(ClientHandshakeStateEvent.HANDSHAKE_COMPLETE);
      channels.add(ch);
    }
    channel = channels.get(0);
    byte[] empty = StateVector.empty().encode();
    channels.get(0).writeInbound(frame(SyncProtocol.step2(server, empty)));
    channels.get(1).writeInbound(frame(SyncProtocol.update(first)), frame(SyncProtocol.update(second)));
    channels.get(2).writeInbound(frame(SyncProtocol.update(first)));
    var serverState = probe.snapshot();
    var snapshots = Map.of(all, all.snapshot(), missed, missed.snapshot());
    channels.forEach(EmbeddedChannel::runPendingTasks);

    assertThat(probe.synced).isDone();
    assertThat(serverState.getNow().text()).isEqualTo("abcd");
    assertThat(LoadGenerator.compare("d", serverState.getNow(), List.of(all), snapshots)).isNull();
    assertThat(LoadGenerator.compare("d", serverState.getNow(), List.of(all, missed), snapshots))
        .isEqualTo("d: client 2 has 3 characters, the server 4");
    channels.subList(1, 3).forEach(EmbeddedChannel::finishAndReleaseAll);
  }

}
