package io.switchboard.server.engine;

import java.time.Duration;

/**
 * How a channel's history stream is kept; passed with each publish so the engine needs no namespace
 * configuration of its own.
 *
 * @param size      most messages kept
 * @param ttl       most time a message is kept
 * @param streamTtl how long the stream's epoch and offset survive without publications
 */
public record StreamOptions(int size, Duration ttl, Duration streamTtl) {
}
