package io.switchboard.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A WebFlux application with an embedded Switchboard node: Spring Security authenticates users (HTTP
 * Basic, two in-memory users), a REST controller hands out node tokens and publishes announcements, and a
 * subscribe hook lets only admins into the {@code admin} namespace. Run it with
 * {@code ./mvnw -pl examples/spring-boot -am spring-boot:run} or from the IDE; open http://127.0.0.1:8080/.
 */
@SpringBootApplication
public class ChatApplication {

    public static void main(String[] args) {
        SpringApplication.run(ChatApplication.class, args);
    }
}
