package ai.candlefish.collab.benchmarks.load;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyTrackerTest {

  @Test
  void key_localInsert_isClientAndClockBefore_andSurvivesRelayThroughAnotherDoc() {
    Doc sender = Doc.newBuilder().clientId(7).build();
    Doc relay = Doc.create();
    List<byte[]> sent = new ArrayList<>();
    List<byte[]> relayed = new ArrayList<>();
    sender.onUpdate((u, origin, txn) -> sent.add(u));
    relay.onUpdate((u, origin, txn) -> relayed.add(u));

    sender.getText("t").insert(0, "ab");
    sender.getText("t").insert(1, "xyz");
    sent.forEach(relay::applyUpdate);

    assertThat(LatencyTracker.key(sent.get(0))).isEqualTo(7L << 32);
    assertThat(LatencyTracker.key(sent.get(1))).isEqualTo((7L << 32) | 2);
    assertThat(relayed).extracting(LatencyTracker::key).containsExactly(7L << 32, (7L << 32) | 2);
  }

  @Test
  void received_countsEveryReceiver_thenForgetsTheUpdate() {
    Doc sender = Doc.newBuilder().clientId(7).build();
    List<byte[]> sent = new ArrayList<>();
    sender.onUpdate((u, origin, txn) -> sent.add(u));
    sender.getText("t").insert(0, "a");
    LatencyTracker tracker = new LatencyTracker();

    tracker.sent(sent.get(0), 2, 1_000_000);
    tracker.received(7, 0, 1, 3_000_000);
    assertThat(tracker.undelivered()).isEqualTo(1);
    tracker.received(7, 0, 1, 5_000_000);
    tracker.received(7, 0, 1, 6_000_000);

    assertThat(tracker.undelivered()).isZero();
    assertThat(tracker.deliveredCount()).isEqualTo(2);
    assertThat(tracker.unmatchedCount()).isEqualTo(1);
    assertThat(tracker.takeHistogram().getMaxValue()).isBetween(3990L, 4010L);
  }

  @Test
  void received_updatesMergedIntoOneMessage_eachCountedOnce() {
    Doc sender = Doc.newBuilder().clientId(7).build();
    List<byte[]> sent = new ArrayList<>();
    sender.onUpdate((u, origin, txn) -> sent.add(u));
    sender.getText("t").insert(0, "ab");   // clocks 0-1
    sender.getText("t").insert(2, "cde");  // clocks 2-4
    sender.getText("t").insert(0, "f");    // clock 5
    LatencyTracker tracker = new LatencyTracker();
    sent.forEach(u -> tracker.sent(u, 1, 0));

    tracker.received(7, 0, 5, 1_000_000); // the first two, merged by a server
    assertThat(tracker.deliveredCount()).isEqualTo(2);
    assertThat(tracker.undelivered()).isEqualTo(1);
    tracker.received(7, 5, 6, 2_000_000);

    assertThat(tracker.deliveredCount()).isEqualTo(3);
    assertThat(tracker.undelivered()).isZero();
    assertThat(tracker.unmatchedCount()).isZero();
  }

  @Test
  void received_onAnotherNode_isAlsoACrossNodeSample_onTheSameNodeIsNot() {
    Doc sender = Doc.newBuilder().clientId(7).build();
    List<byte[]> sent = new ArrayList<>();
    sender.onUpdate((u, origin, txn) -> sent.add(u));
    sender.getText("t").insert(0, "a");
    LatencyTracker tracker = new LatencyTracker();

    tracker.sent(sent.get(0), 2, 1_000_000, 1);
    tracker.received(7, 0, 1, 2_000_000, 1);
    tracker.received(7, 0, 1, 9_000_000, 2);

    assertThat(tracker.takeHistogram().getTotalCount()).isEqualTo(2);
    org.HdrHistogram.Histogram cross = tracker.takeCrossNodeHistogram();
    assertThat(cross.getTotalCount()).isEqualTo(1);
    assertThat(cross.getMaxValue()).isBetween(7990L, 8010L);
  }

  @Test
  void nodeOf_spreadsTheClientsOfEachDocumentOverTheNodesInTurn() {
    LoadSettings settings = LoadSettings.newBuilder().clients(12, 4)
        .servers(List.of(java.net.URI.create("ws://127.0.0.1:1"), java.net.URI.create("ws://127.0.0.1:2"),
            java.net.URI.create("ws://127.0.0.1:3"))).build();

    // Document 1's clients are 1, 5 and 9: one on each node.
    assertThat(List.of(settings.nodeOf(1), settings.nodeOf(5), settings.nodeOf(9))).containsExactly(0, 1, 2);
    assertThat(settings.nodeOf(4)).isEqualTo(1);
  }
}
