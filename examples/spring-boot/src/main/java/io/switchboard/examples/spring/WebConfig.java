package io.switchboard.examples.spring;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.ClassPathResource;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** Serves the node's browser client ({@code switchboard.js}, shipped in the server jar) under {@code /sb/}. */
@Configuration
public class WebConfig {

    @Bean
    RouterFunction<ServerResponse> switchboardClient() {
        return RouterFunctions.resources("/sb/**", new ClassPathResource("web/"));
    }
}
