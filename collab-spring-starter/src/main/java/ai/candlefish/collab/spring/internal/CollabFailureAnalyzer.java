package ai.candlefish.collab.spring.internal;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports an {@link InvalidCollabPropertyException} in Boot's "APPLICATION FAILED TO START" block: the property,
 * its value, what is wrong and what to do. Values that a constraint on {@code CollabProperties} refuses are reported
 * by Boot's own {@code BindValidationFailureAnalyzer}. Registered in {@code META-INF/spring.factories}.
 */
public final class CollabFailureAnalyzer extends AbstractFailureAnalyzer<InvalidCollabPropertyException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidCollabPropertyException cause) {
    StringBuilder description = new StringBuilder()
        .append("The collaboration server cannot start with these settings:\n\n")
        .append("    Property: ").append(cause.property()).append('\n')
        .append("    Value: \"").append(cause.value()).append("\"\n")
        .append("    Reason: ").append(cause.reason());
    if (cause.getCause() != null && cause.getCause().getMessage() != null) {
      description.append("\n    Detail: ").append(cause.getCause().getMessage());
    }
    return new FailureAnalysis(description.toString(), cause.action(), cause);
  }
}
