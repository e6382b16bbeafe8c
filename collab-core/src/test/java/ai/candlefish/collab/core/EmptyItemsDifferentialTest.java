package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.candlefish.collab.core.internal.codec.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Items of length 0, against real Yjs. Yjs's {@code insertEmbed(i, "")} inserts the empty string as text: an item
 * of length 0 that shares its id with the next struct of its client (and, typed before, becomes that struct's right
 * origin). A Java author writes the same update events as a Yjs author; a Java receiver applying a Yjs author's
 * events in order, or its whole state, shows what a Yjs receiver shows and re-encodes the same bytes (v1 and v2).
 * Where Yjs fails to apply what it wrote, the Java receiver applies it without failing.
 */
@ExtendWith(YjsPeerExtension.class)
class EmptyItemsDifferentialTest {
  private static final Map<String, String> ROOTS = Map.of("t", "text", "a", "array");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  private static Map<String, Object> op(String json) {
    return YjsInterop.asMap(Json.parse(json));
  }

  private static final List<List<String>> SCENARIOS = List.of(
      // in the middle and at the start of typed text
      List.of("{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"ab\"}",
          "{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":1,\"embed\":\"\"}",
          "{\"op\":\"insertText\",\"name\":\"t\",\"index\":3,\"text\":\"c\"}",
          "{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":0,\"embed\":\"\"}",
          "{\"op\":\"insertText\",\"name\":\"t\",\"index\":1,\"text\":\"d\"}"),
      // the first struct of a client, then typing before it (its right origin is its own clock)
      List.of("{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":0,\"embed\":\"\"}",
          "{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"z\"}",
          "{\"op\":\"insertText\",\"name\":\"t\",\"index\":1,\"text\":\"y\"}"),
      // inside formatting, with attributes of its own, then deleted across
      List.of("{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"hello\",\"attrs\":{\"bold\":true}}",
          "{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":2,\"embed\":\"\",\"attrs\":{\"width\":5}}",
          "{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"x\"}",
          "{\"op\":\"formatText\",\"name\":\"t\",\"index\":1,\"len\":3,\"attrs\":{\"italic\":true}}",
          "{\"op\":\"deleteText\",\"name\":\"t\",\"index\":1,\"len\":3}"),
      // two in a row at the end, then deleted over and typed at
      List.of("{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"abc\"}",
          "{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":3,\"embed\":\"\"}",
          "{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":3,\"embed\":\"\"}",
          "{\"op\":\"deleteText\",\"name\":\"t\",\"index\":2,\"len\":1}",
          "{\"op\":\"insertText\",\"name\":\"t\",\"index\":2,\"text\":\"q\"}",
          "{\"op\":\"transact\",\"ops\":[{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":1,\"embed\":\"\"},"
              + "{\"op\":\"deleteText\",\"name\":\"t\",\"index\":0,\"len\":2}]}"),
      // typed before one that is not its client's first struct, whose id then names an array item: the receiver puts
      // the embed's marks into the array, and after a remote change to formatted text cleans them there as in a text
      List.of("{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"ab\",\"attrs\":{\"bold\":true}}",
          "{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":0,\"embed\":\"\"}",
          "{\"op\":\"arrayPush\",\"name\":\"a\",\"values\":[1]}",
          "{\"op\":\"transact\",\"ops\":[{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":0,\"embed\":\"\","
              + "\"attrs\":{\"width\":5}},{\"op\":\"deleteText\",\"name\":\"t\",\"index\":1,\"len\":1}]}"));

  @Test
  void emptyEmbeds_writtenAndReceived_asYjs() {
    int n = 0;
    for (boolean gc : List.of(true, false)) {
      for (List<String> scenario : SCENARIOS) {
        run("empty" + n++, gc, scenario.stream().map(EmptyItemsDifferentialTest::op).toList());
      }
    }
  }

  /**
   * A client's first item an embed of "", text typed before it. Yjs's full state leaves that item out (it starts a
   * client at the struct that contains clock 0), and a fresh Yjs doc fails to apply it: what was typed before it names
   * it as its right origin and has no other known place or parent. Ours keeps it, so that a doc reloaded from our state
   * (a store, a new peer's first sync) keeps the text, in Java and in Yjs; a peer that knows the client gets Yjs's
   * bytes.
   */
  @Test
  void emptyEmbedFirst_textTypedBeforeIt_survivesAReloadOfTheState() {
    for (boolean gc : List.of(true, false)) {
      String id = "reload-" + gc;
      Doc author = newDoc(7, gc);
      String[] yjsDocs = {"-author", "-yjs-reload", "-java-reload", "-knows"};
      newYjsDocs(id, gc, yjsDocs);
      try {
        List<byte[]> firstEvent = new ArrayList<>();
        for (String json : List.of("{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":0,\"embed\":\"\"}",
            "{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"z\"}",
            "{\"op\":\"insertText\",\"name\":\"t\",\"index\":1,\"text\":\"y\"}")) {
          YjsInterop.apply(author, op(json));
          peer.apply(id + "-author", op(json));
          List<byte[]> events = peer.updates(id + "-author");
          if (firstEvent.isEmpty()) {
            firstEvent.addAll(events);
          }
        }
        assertThat(author.getText("t").toString()).isEqualTo("zy");
        assertThatThrownBy(
                () -> peer.applyUpdate(id + "-yjs-reload", peer.encodeStateAsUpdate(id + "-author", null)))
            .as("Yjs applying its own state").isInstanceOf(YjsPeer.PeerException.class);

        byte[] state = author.encodeStateAsUpdate();
        Doc reloaded = newDoc(9, gc);
        reloaded.applyUpdate(state);
        assertThat(reloaded.getText("t").toString()).as("Java doc reloaded from our state").isEqualTo("zy");
        assertThat(YjsInterop.base64(reloaded.encodeStateAsUpdate())).isEqualTo(YjsInterop.base64(state));
        Doc reloadedV2 = Doc.newBuilder().clientId(9).gc(gc).build();
        reloadedV2.getText("t");
        reloadedV2.applyUpdateV2(author.encodeStateAsUpdateV2());
        assertThat(reloadedV2.getText("t").toString()).as("Java doc reloaded from our v2 state").isEqualTo("zy");
        peer.applyUpdate(id + "-java-reload", state);
        assertThat(peer.hasPending(id + "-java-reload")).isFalse();
        assertSame(reloaded, id + "-java-reload", id + " Yjs doc reloaded from our state");

        // a peer that knows the client (it has the embed) gets what Yjs sends it
        peer.applyUpdate(id + "-knows", firstEvent.get(0));
        byte[] sv = peer.encodeStateVector(id + "-knows");
        assertThat(StateVector.decode(sv).has(7)).isTrue();
        assertThat(YjsInterop.base64(author.encodeStateAsUpdate(sv))).as("sync with a peer that knows the client")
            .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id + "-author", sv)));
      } finally {
        dropYjsDocs(id, yjsDocs);
      }
    }
  }

  /**
   * One transaction that creates a client's first item, an embed of "", and types before it. Yjs's update of that
   * transaction leaves the embed out, as its full state does, and a Yjs receiver fails on it. Ours holds the embed (in
   * v1 and v2), so that Java and Yjs receivers show the text, and go on agreeing with the author afterwards; it is
   * Yjs's update but for that item.
   */
  @Test
  void emptyEmbedFirst_textTypedBeforeItInTheSameTransaction_reachesReceivers() {
    List<Map<String, Object>> ops = List.of(
        op("{\"op\":\"transact\",\"ops\":[{\"op\":\"insertEmbed\",\"name\":\"t\",\"index\":0,\"embed\":\"\"},"
            + "{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"zy\"}]}"),
        op("{\"op\":\"insertText\",\"name\":\"t\",\"index\":2,\"text\":\"x\"}"),
        op("{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,\"text\":\"w\"}"));
    for (boolean gc : List.of(true, false)) {
      String id = "one-txn-" + gc;
      Doc author = newDoc(7, gc);
      List<byte[]> events = new ArrayList<>();
      List<byte[]> eventsV2 = new ArrayList<>();
      author.onUpdate((u, origin, txn) -> events.add(u.clone()));
      author.onUpdateV2((u, origin, txn) -> eventsV2.add(u.clone()));
      Doc receiver = newDoc(9, gc);
      Doc receiverV2 = newDoc(9, gc);
      String[] yjsDocs = {"-author", "-of-yjs", "-of-java", "-of-java-v2"};
      newYjsDocs(id, gc, yjsDocs);
      try {
        for (int i = 0; i < ops.size(); i++) {
          String when = id + " after op " + i;
          YjsInterop.apply(author, ops.get(i));
          peer.apply(id + "-author", ops.get(i));
          List<byte[]> yjsEvents = peer.updates(id + "-author");
          assertThat(events).as("update events %s", when).hasSameSizeAs(yjsEvents).hasSize(1);
          Twins.assertSameState("update event " + when, events.get(0), yjsEvents.get(0), false);
          if (i == 0) {
            assertThatThrownBy(() -> peer.applyUpdate(id + "-of-yjs", yjsEvents.get(0)))
                .as("a Yjs receiver of Yjs's update %s", when).isInstanceOf(YjsPeer.PeerException.class);
          }
          receiver.applyUpdate(events.get(0));
          receiverV2.applyUpdateV2(eventsV2.get(0));
          peer.applyUpdate(id + "-of-java", events.get(0));
          peer.applyUpdate(id + "-of-java-v2", eventsV2.get(0), true);
          events.clear();
          eventsV2.clear();
          assertThat(receiver.getText("t").toDelta()).as("Java receiver %s", when)
              .isEqualTo(author.getText("t").toDelta());
          assertThat(receiverV2.getText("t").toDelta()).as("Java receiver of v2 %s", when)
              .isEqualTo(author.getText("t").toDelta());
          assertThat(peer.hasPending(id + "-of-java")).as("Yjs receiver pending %s", when).isFalse();
          assertSame(author, id + "-author", "author " + when);
          assertSame(receiver, id + "-of-java", "receivers " + when);
          assertSame(receiverV2, id + "-of-java-v2", "receivers of v2 " + when);
        }
        assertThat(author.getText("t").toString()).isEqualTo("wzyx");
      } finally {
        dropYjsDocs(id, yjsDocs);
      }
    }
  }

  private static void run(String id, boolean gc, List<Map<String, Object>> ops) {
    Doc author = newDoc(7, gc);
    List<byte[]> authorEvents = new ArrayList<>();
    author.onUpdate((u, origin, txn) -> authorEvents.add(u.clone()));
    Doc receiver = newDoc(9, gc);
    peer.newDoc(id + "-author", 7, gc, ROOTS);
    peer.newDoc(id + "-receiver", 9, gc, ROOTS);
    List<byte[]> allEvents = new ArrayList<>();
    try {
      for (Map<String, Object> op : ops) {
        String when = id + " after " + Json.stringify(op);
        YjsInterop.apply(author, op);
        peer.apply(id + "-author", op);
        List<byte[]> yjsEvents = peer.updates(id + "-author");
        assertThat(authorEvents.stream().map(YjsInterop::base64).toList()).as("author's update events %s", when)
            .isEqualTo(yjsEvents.stream().map(YjsInterop::base64).toList());
        authorEvents.clear();
        allEvents.addAll(yjsEvents);
        for (byte[] update : yjsEvents) {
          receiver.applyUpdate(update);
          try {
            peer.applyUpdate(id + "-receiver", update);
          } catch (YjsPeer.PeerException e) {
            // Yjs fails on what it wrote (it never sends an item of length 0 that does not move its client's clock,
            // yet refers to it): the Java receiver goes on, with what the author shows.
            assertThat(receiver.getText("t").toDelta()).as("receiver %s, where Yjs fails", when)
                .isEqualTo(author.getText("t").toDelta());
            return;
          }
          assertSame(receiver, id + "-receiver", "receiver " + when);
        }
        assertSame(author, id + "-author", "author " + when);
      }
      // a fresh receiver of the whole state, in both formats
      byte[] state = peer.encodeStateAsUpdate(id + "-author", null);
      byte[] stateV2 = peer.encodeStateAsUpdate(id + "-author", null, true);
      // the update algebra on them: merge, diff, conversion, the state vector, as Yjs
      byte[] firstSv = peer.stateVectorFromUpdate(allEvents.get(0), false);
      assertThat(YjsInterop.base64(Updates.merge(allEvents))).as("%s merged events", id)
          .isEqualTo(YjsInterop.base64(peer.mergeUpdates(allEvents)));
      assertThat(YjsInterop.base64(Updates.diff(state, firstSv))).as("%s state diffed", id)
          .isEqualTo(YjsInterop.base64(peer.diffUpdate(state, firstSv)));
      assertThat(YjsInterop.base64(Updates.convertV1ToV2(state))).as("%s state in v2", id)
          .isEqualTo(YjsInterop.base64(peer.convertUpdate(state, true)));
      assertThat(YjsInterop.base64(Updates.stateVector(state).encode())).as("%s state vector of the state", id)
          .isEqualTo(YjsInterop.base64(peer.stateVectorFromUpdate(state, false)));
      assertThat(Updates.decode(state).structs()).as("%s decoded", id).isNotEmpty();
      Doc fresh = newDoc(9, gc);
      Doc freshV2 = newDoc(9, gc);
      freshV2.applyUpdateV2(stateV2);
      peer.newDoc(id + "-fresh", 9, gc, ROOTS);
      try {
        fresh.applyUpdate(state);
        try {
          peer.applyUpdate(id + "-fresh", state);
        } catch (YjsPeer.PeerException e) {
          // Yjs's encodeStateAsUpdate leaves out a client's first item when it has length 0 and an item follows at
          // the same clock, which then refers to what is missing: Yjs fails to apply that; the Java doc does not.
          return;
        }
        assertSame(fresh, id + "-fresh", id + " fresh doc applying the author's state");
        assertSame(freshV2, id + "-fresh", id + " fresh doc applying the author's v2 state");
      } finally {
        peer.drop(id + "-fresh");
      }
    } finally {
      peer.drop(id + "-author");
      peer.drop(id + "-receiver");
    }
  }

  /** A Java doc with the roots of {@link #ROOTS}. */
  private static Doc newDoc(long clientId, boolean gc) {
    Doc doc = Doc.newBuilder().clientId(clientId).gc(gc).build();
    doc.getText("t");
    doc.getArray("a");
    return doc;
  }

  /** Yjs docs named {@code id} and each suffix, with ROOTS: the first has the author's client id, 7, the others 9. */
  private static void newYjsDocs(String id, boolean gc, String... suffixes) {
    for (int i = 0; i < suffixes.length; i++) {
      peer.newDoc(id + suffixes[i], i == 0 ? 7 : 9, gc, ROOTS);
    }
  }

  private static void dropYjsDocs(String id, String... suffixes) {
    for (String suffix : suffixes) {
      peer.drop(id + suffix);
    }
  }

  private static void assertSame(Doc doc, String yjsId, String when) {
    Map<String, Object> yjs = peer.snapshot(yjsId, ROOTS);
    assertThat(YjsInterop.rootDifferences(doc, new LinkedHashMap<>(ROOTS), YjsInterop.asMap(yjs.get("values")),
        YjsInterop.asMap(yjs.get("deltas")))).as("content of %s", when).isEmpty();
    assertThat(YjsInterop.base64(doc.encodeStateVector())).as("state vector of %s", when)
        .isEqualTo(YjsInterop.base64(peer.encodeStateVector(yjsId)));
    Twins.assertSameState("state of " + when, doc.encodeStateAsUpdate(), peer.encodeStateAsUpdate(yjsId, null), false);
    Twins.assertSameState("v2 state of " + when, doc.encodeStateAsUpdateV2(), peer.encodeStateAsUpdate(yjsId, null, true),
        true);
  }
}
