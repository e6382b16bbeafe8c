package ai.candlefish.collab.spring.internal;

import jakarta.validation.Constraint;
import jakarta.validation.ConstraintValidator;
import jakarta.validation.ConstraintValidatorContext;
import jakarta.validation.Payload;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.util.unit.DataSize;

/**
 * A {@link DataSize} within {@code min..max} bytes (Bean Validation has no constraint for Spring's type). The
 * default maximum is what fits an {@code int}, where the server takes the size as one.
 */
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.RECORD_COMPONENT, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Constraint(validatedBy = DataSizeRange.Validator.class)
public @interface DataSizeRange {
  /** The smallest size allowed, in bytes. */
  long min() default 0;

  /** The largest size allowed, in bytes. */
  long max() default Integer.MAX_VALUE;

  /** The message: Boot's report shows it after the property name. */
  String message() default "must be between {min} and {max} bytes";

  /** Validation groups (unused). */
  Class<?>[] groups() default {};

  /** Payload (unused). */
  Class<? extends Payload>[] payload() default {};

  /** Checks a {@link DataSizeRange}; null is left to {@code @NotNull}. */
  final class Validator implements ConstraintValidator<DataSizeRange, DataSize> {
    private long min;
    private long max;

    @Override
    public void initialize(DataSizeRange range) {
      this.min = range.min();
      this.max = range.max();
    }

    @Override
    public boolean isValid(DataSize value, ConstraintValidatorContext context) {
      return value == null || (value.toBytes() >= min && value.toBytes() <= max);
    }
  }
}
