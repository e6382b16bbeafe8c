package ai.candlefish.collab.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every document fixture of {@link YjsFixturesTest} in Yjs's update format v2 ({@code fixtures/yjs/v2/<name>.json},
 * written by {@code src/test/js/generate-fixtures.mjs} from real Yjs 13.6.33): the v2 state and v2 update events
 * apply to the same content and re-encode byte for byte, and {@link Updates}' v2 algebra (merge, diff, state
 * vector, conversions both ways) gives Yjs's bytes. Needs no Node.
 */
class YjsFixturesV2Test {
  /** A document fixture with its v2 side. */
  record V2Fixture(YjsFixturesTest.DocFixture v1, Map<String, Object> json) {
    byte[] bytes(String key) {
      return YjsInterop.fromBase64(json.get(key));
    }

    List<byte[]> list(String key) {
      List<byte[]> out = new ArrayList<>();
      for (Object u : (List<?>) json.get(key)) {
        out.add(YjsInterop.fromBase64(u));
      }
      return out;
    }

    @Override
    public String toString() {
      return v1.name();
    }
  }

  static Stream<V2Fixture> fixtures() {
    return YjsFixturesTest.documents().map(f -> new V2Fixture(f,
        YjsFixturesTest.parse(YjsFixturesTest.FIXTURES.resolve("v2").resolve(f.name() + ".json"))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void applyUpdateV2_reproducesYjsContentAndBytes(V2Fixture f) {
    Doc doc = Doc.newBuilder().gc(f.v1().gc()).build();

    doc.applyUpdateV2(f.bytes("update"));

    assertThat(doc.hasPendingUpdates()).isFalse();
    assertThat(YjsFixturesTest.rootDifferences(doc, f.v1().json())).as("content of %s", f).isEmpty();
    assertBytes("encodeStateAsUpdateV2", doc.encodeStateAsUpdateV2(), f.bytes("update"));
    assertBytes("encodeStateAsUpdate", doc.encodeStateAsUpdate(), f.v1().bin());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void encodeStateAsUpdateV2_ofTheV1Document_isYjsBytes(V2Fixture f) {
    Doc doc = Doc.newBuilder().gc(f.v1().gc()).build();

    doc.applyUpdate(f.v1().bin());

    assertBytes("encodeStateAsUpdateV2", doc.encodeStateAsUpdateV2(), f.bytes("update"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void applyUpdateV2_perTransaction_inOrderAndReversed_reproducesYjsBytes(V2Fixture f) {
    List<byte[]> events = f.list("updates");
    for (boolean reverse : new boolean[] {false, true}) {
      if (reverse) {
        Collections.reverse(events);
      }
      Doc doc = Doc.newBuilder().gc(f.v1().gc()).build();
      for (byte[] u : events) {
        doc.applyUpdateV2(u);
      }
      assertThat(doc.hasPendingUpdates()).isFalse();
      assertBytes("encodeStateAsUpdateV2 after the events, reversed " + reverse, doc.encodeStateAsUpdateV2(), f.bytes("update"));
      assertThat(YjsFixturesTest.rootDifferences(doc, f.v1().json())).as("content of %s", f).isEmpty();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void updateAlgebraV2_isYjsBytes(V2Fixture f) {
    byte[] v2 = f.bytes("update");
    List<byte[]> events = f.list("updates");

    assertBytes("convertV1ToV2", Updates.convertV1ToV2(f.v1().bin()), f.bytes("v1ToV2"));
    assertBytes("convertV2ToV1", Updates.convertV2ToV1(v2), f.bytes("v2ToV1"));
    List<byte[]> v1Events = f.v1().updates();
    List<byte[]> expected = f.list("eventsV1ToV2");
    for (int i = 0; i < v1Events.size(); i++) {
      assertBytes("convertV1ToV2 of event " + i, Updates.convertV1ToV2(v1Events.get(i)), expected.get(i));
    }
    assertBytes("stateVectorV2", Updates.stateVectorV2(v2).encode(), f.bytes("stateVector"));
    assertBytes("mergeV2 of the events", events.isEmpty() ? v2 : Updates.mergeV2(events), f.bytes("merged"));
    assertBytes("diffV2", Updates.diffV2(v2, f.bytes("diffStateVector")), f.bytes("diff"));
  }

  private static void assertBytes(String what, byte[] actual, byte[] expected) {
    assertThat(YjsInterop.base64(actual)).as(what).isEqualTo(YjsInterop.base64(expected));
  }
}
