package ai.candlefish.collab.spring.internal;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationErrors;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.core.Ordered;
import org.springframework.validation.FieldError;
import org.springframework.validation.ObjectError;

/**
 * Reports a {@code candlefish.collab.*} value that a constraint refused under the name it is written with
 * ({@code candlefish.collab.limits.idle-timeout}, with the value as written and where), where Boot's own analyzer
 * names a nested record's property by its Java name ({@code limits.idleTimeout}). Other properties are left to
 * Boot's analyzer. Registered in {@code META-INF/spring.factories}, ahead of Boot's.
 */
public final class CollabBindValidationFailureAnalyzer extends AbstractFailureAnalyzer<BindValidationException>
    implements Ordered {
  private static final String PREFIX = "candlefish.collab";
  private static final Pattern CAPITAL = Pattern.compile("([a-z0-9])([A-Z])");

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, BindValidationException cause) {
    ValidationErrors errors = cause.getValidationErrors();
    if (!errors.getName().toString().equals(PREFIX)) {
      return null;
    }
    StringBuilder description = new StringBuilder("Binding to target ").append(PREFIX).append(" failed:\n");
    for (ObjectError error : errors) {
      description.append('\n');
      if (error instanceof FieldError field) {
        String name = PREFIX + "." + kebab(field.getField());
        ConfigurationProperty bound = bound(errors, name);
        description.append("    Property: ").append(name).append('\n')
            .append("    Value: \"").append(bound != null ? bound.getValue() : field.getRejectedValue()).append("\"\n");
        if (bound != null && bound.getOrigin() != null) {
          description.append("    Origin: ").append(bound.getOrigin()).append('\n');
        }
      }
      description.append("    Reason: ").append(error.getDefaultMessage()).append('\n');
    }
    return new FailureAnalysis(description.toString(), "Update the candlefish.collab property above in the "
        + "application's configuration (the starter's README lists every property with its default)", cause);
  }

  private static ConfigurationProperty bound(ValidationErrors errors, String name) {
    ConfigurationPropertyName wanted = ConfigurationPropertyName.of(name);
    return errors.getBoundProperties().stream().filter(p -> p.getName().equals(wanted)).findFirst().orElse(null);
  }

  /** {@code limits.idleTimeout} as it is written in properties: {@code limits.idle-timeout}. */
  static String kebab(String javaName) {
    Matcher m = CAPITAL.matcher(javaName);
    return m.replaceAll("$1-$2").toLowerCase(Locale.ROOT);
  }

  @Override
  public int getOrder() {
    return Ordered.HIGHEST_PRECEDENCE;
  }
}
