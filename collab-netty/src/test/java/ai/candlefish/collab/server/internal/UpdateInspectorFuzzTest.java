package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.Doc;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzing of the read-only check, which sees whatever a read-only client sends: it must answer, never throw, and
 * never change the document. {@code JAZZER_FUZZ=1 ./mvnw test -pl collab-netty -Dtest=UpdateInspectorFuzzTest}
 * fuzzes for real; {@code mvn test} replays the saved inputs.
 */
class UpdateInspectorFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void changesNothing(byte[] bytes) {
    Doc doc = Doc.newBuilder().clientId(1).build();
    doc.getText("t").insert(0, "hello world");
    doc.getText("t").delete(2, 3);
    byte[] before = doc.encodeStateAsUpdate();
    UpdateInspector.changesNothing(bytes, doc);
    assertThat(doc.encodeStateAsUpdate()).isEqualTo(before);
  }
}
