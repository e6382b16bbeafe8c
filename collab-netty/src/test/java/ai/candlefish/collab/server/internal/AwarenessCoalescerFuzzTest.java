package ai.candlefish.collab.server.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.candlefish.collab.core.DecodingException;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.Map;

/**
 * Coverage-guided fuzzing of the awareness-update reader the presence budget merges with. {@code mvn test} replays
 * the saved inputs (src/test/resources/.../AwarenessCoalescerFuzzTestInputs); {@code JAZZER_FUZZ=1 ./mvnw test -pl
 * collab-netty -Dtest=AwarenessCoalescerFuzzTest} fuzzes for real. Whatever the bytes: they are refused with a
 * {@link DecodingException}, or held, and what is let through reads back the same.
 */
class AwarenessCoalescerFuzzTest {
  @FuzzTest(maxDuration = "30s")
  void hold(byte[] bytes) {
    AwarenessCoalescer<String> coalescer = new AwarenessCoalescer<>(1, 1 << 20, 1 << 20, 0);
    try {
      coalescer.hold("doc", bytes);
    } catch (DecodingException e) {
      assertThat(coalescer.isHolding()).isFalse();
      return;
    }
    Map<String, byte[]> drained = coalescer.drain(0);
    byte[] merged = drained.get("doc");
    AwarenessCoalescer<String> again = new AwarenessCoalescer<>(1, 1 << 20, 1 << 20, 0);
    again.hold("doc", merged);
    assertThat(again.drain(0).get("doc")).isEqualTo(merged);
  }
}
