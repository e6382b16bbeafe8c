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
 * Format marks in a type that is not a text, against real Yjs. A root is what its receiver calls it, so an author's
 * text "a" lands in a receiver's array "a" with its marks (an item of length 0 can do the same, see
 * {@link EmptyItemsDifferentialTest}). Yjs then treats the array as formatted: after a remote change to formatted
 * text, the cleanup that removes redundant marks also walks the array, and the receiver emits the deletes it makes
 * as an update of its own.
 */
@ExtendWith(YjsPeerExtension.class)
class FormatMarksOutsideTextDifferentialTest {
  private static final Map<String, String> TEXT = Map.of("a", "text", "t", "text");
  private static final Map<String, String> ARRAY = Map.of("a", "array", "t", "text");

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  /** {@code author} performs {@code op}; its update events go to the docs named in {@code to}, in order. */
  private record Step(String author, String op, List<String> to) {}

  @Test
  void remoteDelete_nextToMarksInAnArray_removesTheRedundantMarkAsYjs() {
    for (boolean gc : List.of(true, false)) {
      run("marks-" + gc, gc, List.of(
          new Step("textA", "{\"op\":\"insertText\",\"name\":\"a\",\"index\":0,\"text\":\"1X3\",\"attrs\":{}}",
              List.of("textC", "arrayB", "arrayR")),
          // concurrent marks on "3": in an array nothing cleans them, they stay side by side after X
          new Step("textA", "{\"op\":\"formatText\",\"name\":\"a\",\"index\":2,\"len\":1,\"attrs\":{\"width\":5}}",
              List.of("arrayB", "arrayR")),
          new Step("textC", "{\"op\":\"formatText\",\"name\":\"a\",\"index\":2,\"len\":1,\"attrs\":{\"width\":6}}",
              List.of("arrayB", "arrayR")),
          // a change to formatted text and X deleted: the receiver walks from X over the marks and drops one
          new Step("arrayB", "{\"op\":\"transact\",\"ops\":[{\"op\":\"insertText\",\"name\":\"t\",\"index\":0,"
              + "\"text\":\"x\",\"attrs\":{\"bold\":true}},{\"op\":\"arrayDelete\",\"name\":\"a\",\"index\":1,\"len\":1}]}",
              List.of("arrayR"))));
    }
  }

  private static void run(String id, boolean gc, List<Step> steps) {
    Map<String, Doc> docs = new LinkedHashMap<>();
    Map<String, List<byte[]>> events = new LinkedHashMap<>();
    long clientId = 7;
    for (String name : List.of("textA", "textC", "arrayB", "arrayR")) {
      Doc doc = Twins.create(peer, id + name, clientId++, gc, name.startsWith("text") ? TEXT : ARRAY);
      List<byte[]> list = new ArrayList<>();
      doc.onUpdate((u, origin, txn) -> list.add(u.clone()));
      docs.put(name, doc);
      events.put(name, list);
    }
    try {
      for (Step step : steps) {
        Map<String, Object> op = YjsInterop.asMap(Json.parse(step.op()));
        YjsInterop.apply(docs.get(step.author()), op);
        peer.apply(id + step.author(), op);
        List<byte[]> sent = assertSameEvents(id, step.author(), events, "after " + step.op());
        for (String to : step.to()) {
          for (byte[] update : sent) {
            docs.get(to).applyUpdate(update);
            peer.applyUpdate(id + to, update);
            assertSameEvents(id, to, events, "applying " + step.author() + "'s " + step.op());
            assertThat(YjsInterop.base64(docs.get(to).encodeStateAsUpdate())).as("state of %s", to)
                .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id + to, null)));
          }
        }
      }
    } finally {
      docs.keySet().forEach(name -> peer.drop(id + name));
    }
  }

  /** The update events {@code name} emitted since the last call, equal to its twin's; returns them. */
  private static List<byte[]> assertSameEvents(String id, String name, Map<String, List<byte[]>> events, String when) {
    List<byte[]> yjs = peer.updates(id + name);
    assertThat(base64(events.get(name))).as("update events of %s %s", name, when).isEqualTo(base64(yjs));
    events.get(name).clear();
    return yjs;
  }

  private static List<String> base64(List<byte[]> updates) {
    return updates.stream().map(YjsInterop::base64).toList();
  }
}
