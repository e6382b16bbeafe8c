/**
 * Spring Boot auto-configuration of the collaboration server: add {@code collab-spring-starter}, set
 * {@code candlefish.collab.*} ({@link ai.candlefish.collab.spring.CollabProperties}), and the server starts and
 * stops with the application.
 */
@NullMarked
package ai.candlefish.collab.spring;

import org.jspecify.annotations.NullMarked;
