package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Items of length 0 (Yjs's {@code insertEmbed(i, "")}) through the update algebra and the paths a store or a relay
 * takes with bytes, against real Yjs: whatever a document accepted, a merge of its updates in any order, a diff for
 * a peer that does not know the client, a relay of what waits for a missing update, and a compaction's questions
 * ({@link Updates#wouldChange}, {@link Updates#holdsAll}) keep, so that a fresh Java doc and a fresh Yjs doc show the
 * author's text. The author is client 7; client 5 typed "ab" first, and client 7 types between a and b.
 */
@ExtendWith(YjsPeerExtension.class)
class EmptyItemsUpdatesDifferentialTest {
  private static final Map<String, String> ROOTS = Map.of("t", "text");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  /** What the author did, and the update events it emitted (v1 and v2), client 5's "ab" first. */
  private record Authored(Doc doc, List<byte[]> events, List<byte[]> eventsV2) {}

  /** Client 7's first item an embed of "" between a and b, and "zy" typed before it: in one transaction or two. */
  private static Authored author(boolean oneTransaction) {
    Doc other = Doc.newBuilder().clientId(5).build();
    other.getText("t").insert(0, "ab");
    Doc author = Doc.newBuilder().clientId(7).build();
    author.getText("t");
    author.applyUpdate(other.encodeStateAsUpdate());
    List<byte[]> events = new ArrayList<>(List.of(other.encodeStateAsUpdate()));
    List<byte[]> eventsV2 = new ArrayList<>(List.of(other.encodeStateAsUpdateV2()));
    author.onUpdate((u, origin, txn) -> events.add(u.clone()));
    author.onUpdateV2((u, origin, txn) -> eventsV2.add(u.clone()));
    String embed = "{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":1,\"embed\":\"\"}";
    String text = "{\"op\":\"insertText\",\"name\":\"t\",\"index\":1,\"text\":\"zy\"}";
    if (oneTransaction) {
      YjsInterop.apply(author, op("{\"op\":\"transact\",\"ops\":[" + embed + "," + text + "]}"));
    } else {
      YjsInterop.apply(author, op(embed));
      YjsInterop.apply(author, op(text));
    }
    assertThat(author.getText("t").toString()).isEqualTo("azyb");
    return new Authored(author, events, eventsV2);
  }

  private static Map<String, Object> op(String json) {
    return YjsInterop.asMap(Json.parse(json));
  }

  @Test
  void merge_ofTheEventsInAnyOrder_keepsTheItemOfLength0() {
    for (boolean oneTransaction : List.of(true, false)) {
      Authored a = author(oneTransaction);
      String what = oneTransaction ? "one transaction" : "two transactions";
      assertReadAsAuthor(a.doc, Updates.merge(a.events), false, what + ", merged in order");
      assertReadAsAuthor(a.doc, Updates.merge(reversed(a.events)), false, what + ", merged in reverse");
      assertReadAsAuthor(a.doc, Updates.mergeV2(reversed(a.eventsV2)), true, what + ", merged in reverse (v2)");
      // a compaction that merges its rows with the state it holds, the state last
      List<byte[]> rowsThenState = new ArrayList<>(a.events.subList(1, a.events.size()));
      rowsThenState.add(a.doc.encodeStateAsUpdate());
      assertReadAsAuthor(a.doc, Updates.merge(rowsThenState), false, what + ", rows merged with the state");
    }
  }

  @Test
  void diff_forAPeerThatDoesNotKnowTheClient_keepsItsFirstItemOfLength0() {
    for (boolean oneTransaction : List.of(true, false)) {
      Authored a = author(oneTransaction);
      String what = oneTransaction ? "one transaction" : "two transactions";
      byte[] state = a.doc.encodeStateAsUpdate();
      assertReadAsAuthor(a.doc, Updates.diff(state, StateVector.empty().encode()), false, what + ", diff with {}");
      assertReadAsAuthor(a.doc, Updates.diffV2(a.doc.encodeStateAsUpdateV2(), StateVector.empty().encode()), true,
          what + ", diff with {} (v2)");
      // what a peer that has client 5's "ab" lacks, and the update without client 5's part: that peer's answers
      byte[] forPeerWithAb = Updates.diff(state, Updates.stateVector(a.events.get(0)).encode());
      assertReadAsAuthor(a.doc, Updates.merge(List.of(a.events.get(0), forPeerWithAb)), false,
          what + ", diff for a peer with client 5");
      byte[] without5 = Updates.withoutClients(state, List.of(5L));
      assertReadAsAuthor(a.doc, Updates.merge(List.of(a.events.get(0), without5)), false,
          what + ", without client 5");
    }
  }

  /** A receiver that lacks client 5's "ab" holds client 7's update pending; a relay of its state must keep all of it. */
  @Test
  void encodeStateAsUpdate_ofADocWithTheItemOfLength0Pending_keepsIt() {
    for (boolean oneTransaction : List.of(true, false)) {
      Authored a = author(oneTransaction);
      Doc relay = Doc.newBuilder().clientId(9).build();
      relay.getText("t");
      for (byte[] e : a.events.subList(1, a.events.size())) {
        relay.applyUpdate(e);
      }
      assertThat(relay.hasPendingUpdates()).isTrue();
      byte[] relayed = Updates.merge(List.of(a.events.get(0), relay.encodeStateAsUpdate()));
      assertReadAsAuthor(a.doc, relayed, false, (oneTransaction ? "one" : "two") + " transaction(s), relayed pending");
    }
  }

  @Test
  void wouldChange_anItemOfLength0OfAClientTheDocDoesNotKnow_isAChange() {
    Authored a = author(false);
    byte[] loneEmbed = a.events.get(1);
    Doc doc = Doc.newBuilder().clientId(9).build();
    doc.getText("t");
    doc.applyUpdate(a.events.get(0));
    peer.newDoc("would-change", 9, true, ROOTS);
    try {
      peer.applyUpdate("would-change", a.events.get(0));
      byte[] before = peer.encodeStateVector("would-change");
      peer.applyUpdate("would-change", loneEmbed);
      assertThat(YjsInterop.base64(peer.encodeStateVector("would-change"))).as("Yjs's state vector moves")
          .isNotEqualTo(YjsInterop.base64(before));
    } finally {
      peer.drop("would-change");
    }
    assertThat(Updates.wouldChange(loneEmbed, doc)).isTrue();
    doc.applyUpdate(loneEmbed);
    assertThat(Updates.wouldChange(loneEmbed, doc)).isFalse();
  }

  @Test
  void holdsAll_aStateWithoutTheItemOfLength0_doesNotHoldIt() {
    Authored a = author(false);
    byte[] stateOfAb = a.events.get(0);
    assertThat(Updates.holdsAll(stateOfAb, List.of(a.events.get(1)))).isFalse();
    assertThat(Updates.holdsAll(a.doc.encodeStateAsUpdate(), a.events)).isTrue();
  }

  private static List<byte[]> reversed(List<byte[]> updates) {
    List<byte[]> out = new ArrayList<>(updates);
    java.util.Collections.reverse(out);
    return out;
  }

  /** A fresh Java doc and a fresh Yjs doc applying {@code update} show what the author shows, and agree. */
  private static void assertReadAsAuthor(Doc author, byte[] update, boolean v2, String what) {
    Doc java = Doc.newBuilder().clientId(9).build();
    java.getText("t");
    if (v2) {
      java.applyUpdateV2(update);
    } else {
      java.applyUpdate(update);
    }
    assertThat(java.getText("t").toDelta()).as("Java doc applying %s", what).isEqualTo(author.getText("t").toDelta());
    peer.newDoc("reader", 9, true, ROOTS);
    try {
      peer.applyUpdate("reader", update, v2);
      assertThat(peer.hasPending("reader")).as("Yjs doc applying %s: pending", what).isFalse();
      Map<String, Object> yjs = peer.snapshot("reader", ROOTS);
      assertThat(YjsInterop.rootDifferences(java, new LinkedHashMap<>(ROOTS), YjsInterop.asMap(yjs.get("values")),
          YjsInterop.asMap(yjs.get("deltas")))).as("Yjs doc applying %s", what).isEmpty();
      Twins.assertSameState(what, java.encodeStateAsUpdate(), peer.encodeStateAsUpdate("reader", null), false);
    } finally {
      peer.drop("reader");
    }
  }
}
