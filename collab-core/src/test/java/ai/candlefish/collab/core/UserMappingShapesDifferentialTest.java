package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link PermanentUserData#setUserMapping} when the users map already holds something else than a user entry under
 * the description, against real Yjs ({@code snapshot-ops.mjs}). Yjs's {@code if (!user)} replaces what JavaScript
 * reads as false (null, undefined, false, 0, -0, NaN, "", 0n, a deleted entry) with a new entry, and fails on
 * anything else before it changes the document (a truthy value that is not a map, a map without an array
 * {@code "ids"}): the same updates, the same failures, and afterwards the same deletions recorded and the same users
 * named.
 *
 * <p>Not compared, and not like Yjs (YJS-PARITY.md): Yjs's {@code PermanentUserData} observer throws out of the
 * transaction that wrote such a value (ours skips the entry; the tests here ignore Yjs's failure of that write), and
 * a map whose {@code "ids"} is a JavaScript array or an XML type, where Yjs pushes the id into the copy or the XML.
 */
@ExtendWith(YjsPeerExtension.class)
class UserMappingShapesDifferentialTest {
  private static final Map<String, String> ROOTS = Map.of("users", "map", "t", "text");
  private static final String USER = "ada";

  private static YjsPeer peer; // started and closed by YjsPeerExtension

  private static int docs;

  private static Map<String, Object> op(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> set(Object taggedValue) {
    return op("op", "mapSet", "name", "users", "key", USER, "value", taggedValue);
  }

  private static Map<String, Object> number(String special) {
    return op("$type", "number", "value", special);
  }

  static Stream<Arguments> entries() {
    Map<String, Object> type = op("op", "mapSetType", "name", "users", "key", USER, "kind", "map");
    return Stream.of(
        Arguments.of("absent", List.of()),
        Arguments.of("deleted", List.of(set(1), op("op", "mapDelete", "name", "users", "key", USER))),
        Arguments.of("null", List.of(set(null))),
        Arguments.of("undefined", List.of(set(op("$type", "undefined")))),
        Arguments.of("false", List.of(set(false))),
        Arguments.of("0", List.of(set(0))),
        Arguments.of("-0", List.of(set(number("-0")))),
        Arguments.of("NaN", List.of(set(number("NaN")))),
        Arguments.of("empty string", List.of(set(""))),
        Arguments.of("0n", List.of(set(op("$type", "bigint", "value", "0")))),
        Arguments.of("true", List.of(set(true))),
        Arguments.of("1", List.of(set(1))),
        Arguments.of("-1.5", List.of(set(-1.5))),
        Arguments.of("Infinity", List.of(set(number("Infinity")))),
        Arguments.of("2^53", List.of(set(9007199254740992L))),
        Arguments.of("1n", List.of(set(op("$type", "bigint", "value", "1")))),
        Arguments.of("string", List.of(set("x"))),
        Arguments.of("string of a space", List.of(set(" "))),
        Arguments.of("empty array", List.of(set(List.of()))),
        Arguments.of("empty object", List.of(set(op()))),
        Arguments.of("object with ids", List.of(set(op("ids", List.of(), "ds", List.of())))),
        Arguments.of("empty Uint8Array", List.of(set(op("$type", "bytes", "base64", "")))),
        Arguments.of("Y.Array", List.of(op("op", "mapSetType", "name", "users", "key", USER, "kind", "array"))),
        Arguments.of("Y.Text", List.of(op("op", "mapSetType", "name", "users", "key", USER, "kind", "text"))),
        Arguments.of("Y.Map without ids", List.of(type)),
        Arguments.of("Y.Map with a string as ids", List.of(type,
            op("op", "nestedInsert", "name", "users", "key", USER, "text", "ids", "values", "x"))),
        Arguments.of("Y.Map with 0 as ids", List.of(type,
            op("op", "nestedInsert", "name", "users", "key", USER, "text", "ids", "values", 0))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("entries")
  void setUserMapping_overAnEntryOfAnotherShape_asYjs(String name, List<Map<String, Object>> setup) {
    String id = "pud-shape-" + docs++;
    Doc doc = Twins.create(peer, id, 7, true, ROOTS);
    List<byte[]> events = new ArrayList<>();
    doc.onUpdate((u, origin, txn) -> events.add(u.clone()));
    try {
      PermanentUserData users = new PermanentUserData(doc);
      peer.request(op("op", "pud", "id", id));
      for (Map<String, Object> o : setup) {
        YjsInterop.apply(doc, o);
        try {
          peer.apply(id, o);
        } catch (YjsPeer.PeerException yjsObserverFailed) {
          // Yjs's users observer throws on an entry that is not a map, after the write (see the class comment)
        }
      }
      assertSameEvents(events, id, "the setup");

      RuntimeException yjsFailure = null;
      try {
        peer.request(op("op", "setUserMapping", "id", id, "clientId", 7, "user", USER));
      } catch (YjsPeer.PeerException e) {
        yjsFailure = e;
      }
      if (yjsFailure == null) {
        users.setUserMapping(7, USER);
      } else {
        assertThatThrownBy(() -> users.setUserMapping(7, USER)).as("Yjs failed: %s", yjsFailure.getMessage())
            .isInstanceOf(IllegalStateException.class).hasMessageContaining("users entry of 'ada'");
      }
      assertSameEvents(events, id, "setUserMapping");

      // the deletions recorded (or not) afterwards, and who is named for what
      for (Map<String, Object> o : List.of(
          op("op", "insertText", "name", "t", "index", 0, "text", "abc"),
          op("op", "deleteText", "name", "t", "index", 1, "len", 1))) {
        YjsInterop.apply(doc, o);
        peer.apply(id, o);
        assertSameEvents(events, id, o.toString());
      }
      Map<String, Object> named = peer.request(op("op", "pudUsers", "id", id,
          "ids", List.of(List.of(7, 0), List.of(7, 1), List.of(7, 2))));
      List<Object> byClient = new ArrayList<>();
      List<Object> byDeleted = new ArrayList<>();
      for (int clock = 0; clock < 3; clock++) {
        byClient.add(users.getUserByClientId(7));
        byDeleted.add(users.getUserByDeletedId(7, clock));
      }
      assertThat(byClient).as("getUserByClientId").isEqualTo(named.get("byClient"));
      assertThat(byDeleted).as("getUserByDeletedId").isEqualTo(named.get("byDeleted"));
      assertThat(YjsInterop.base64(doc.encodeStateAsUpdate())).as("the state")
          .isEqualTo(YjsInterop.base64(peer.encodeStateAsUpdate(id, null)));
    } finally {
      peer.drop(id);
    }
  }

  private static void assertSameEvents(List<byte[]> events, String id, String after) {
    TwinReplica.assertSameEvents(after, new ArrayList<>(events), peer.updates(id));
    events.clear();
  }
}
