package ai.candlefish.collab.spring.internal;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import org.springframework.boot.convert.DurationStyle;

/**
 * A {@link Duration} within {@code min..max}, written as in properties ({@code 100ms}, {@code 365d}). Hibernate
 * Validator's own {@code @DurationMin} words its message with EL, which an application without Jakarta EL cannot
 * show.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = DurationRange.Validator.class)
public @interface DurationRange {
  /** The shortest duration allowed. */
  String min() default "0s";

  /** The longest duration allowed: a year, far below where nanoseconds overflow a long. */
  String max() default "365d";

  /** The message: Boot's report shows it after the property name. */
  String message() default "must be between {min} and {max}";

  /** Validation groups (unused). */
  Class<?>[] groups() default {};

  /** Payload (unused). */
  Class<? extends Payload>[] payload() default {};

  /** Checks a {@link DurationRange}; null is left to {@code @NotNull}. */
  final class Validator implements ConstraintValidator<DurationRange, Duration> {
    private Duration min;
    private Duration max;

    @Override
    public void initialize(DurationRange range) {
      this.min = DurationStyle.detectAndParse(range.min());
      this.max = DurationStyle.detectAndParse(range.max());
    }

    @Override
    public boolean isValid(Duration value, ConstraintValidatorContext context) {
      return value == null || (value.compareTo(min) >= 0 && value.compareTo(max) <= 0);
    }
  }
}
