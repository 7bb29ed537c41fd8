package io.switchboard.bench.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Turns what the clients saw and what the histories hold into a {@link ModeResult}. */
final class Tally {

    private final ModeResult r;

    Tally(ModeResult r) {
        this.r = r;
    }

    void count(List<ChaosSubscriber> subs, List<ChaosPublisher> pubs, Map<String, HistoryReader.Stream> streams, Clients clients) {
        // key -> where the histories hold it
        Map<String, List<String>> stored = new HashMap<>();
        for (HistoryReader.Stream st : streams.values()) {
            r.historyEntries += st.entries().size();
            if (st.earliest() > 1) {
                r.example("history", st.channel() + " keeps offsets from " + st.earliest() + " only: losses cannot be counted before it");
            }
            for (HistoryReader.Entry e : st.entries()) {
                stored.computeIfAbsent(e.key(), k -> new ArrayList<>()).add(st.channel() + " " + st.epoch() + "/" + e.offset());
            }
        }
        for (Map.Entry<String, List<String>> e : stored.entrySet()) {
            if (e.getValue().size() > 1) {
                r.storedTwice += e.getValue().size() - 1;
                r.example("stored twice", e.getKey() + " at " + e.getValue());
            }
        }
        for (ChaosPublisher p : pubs) {
            r.ackMismatches += p.ackMismatches;
            p.mismatchExamples.forEach(x -> r.example("idempotency", x));
            ModeResult.add(r.publishErrors, p.errors);
            for (ChaosPublisher.Pub pub : p.all) {
                r.attempted++;
                r.publishRetries += Math.max(0, pub.sends - 1);
                List<String> where = stored.getOrDefault(pub.key, List.of());
                if (pub.refused != null) {
                    r.refused++;
                } else if (pub.acked()) {
                    r.acknowledged++;
                    String at = pub.channel + " " + pub.epoch + "/" + pub.offset;
                    if (!where.contains(at)) {
                        r.lost++;
                        r.example("lost", pub.key + " acknowledged at " + at + "; history holds it at " + where);
                    }
                } else if (!where.isEmpty()) {
                    r.unackedButStored++;
                }
            }
        }
        for (ChaosSubscriber sub : subs) {
            HistoryReader.Stream st = streams.get(sub.channel);
            OffsetCheck c = sub.check;
            if (c.epoch != null) {
                c.end(st.epoch(), st.last());
            }
            r.delivered += c.deliveries;
            r.duplicates += c.duplicates;
            r.reorderings += c.reorderings;
            r.unexplainedGaps += c.unexplainedGaps();
            r.missedOffsets += c.missedOffsets();
            r.gaps += c.explainedGaps + c.unexplainedGaps();
            r.epochChanges += c.epochChanges;
            r.badAcks += c.badAcks;
            for (String x : c.examples) {
                r.example("subscribers", sub.user + " on " + sub.channel + ": " + x);
            }
            if (c.unexplainedGaps() > 0) {
                r.example("unexplained gaps", sub.user + " on " + sub.channel + " never received offsets " + c.holesDescription());
            }
            r.subscriberDisconnects += sub.disconnects;
            r.ownDrops += sub.ownDrops;
            r.silentConnections += sub.silentNodes;
            r.sinceSubscribes += sub.sinceSubscribes;
            r.recoveredTrue += sub.recoveredTrue;
            r.messagesBeforeAck += sub.messagesBeforeAck;
            r.messagesAfterUnsubscribe += sub.messagesAfterUnsubscribe;
            ModeResult.add(r.recoveredFalse, sub.recoveredFalse);
            ModeResult.add(r.unsubscribedPushes, sub.unsubscribedPushes);
            ModeResult.add(r.subscribeErrors, sub.subscribeErrors);
        }
        r.contentMismatches = clients.contentMismatches;
        clients.contentExamples.forEach(x -> r.example("content", x));
        List<String> blinks = new ArrayList<>();
        r.falsePresencePairs = clients.presence.falsePairs(blinks);
        r.falseOffline = clients.presence.falseOffline();
        r.offlinePushes = clients.presence.offlinePushes();
        blinks.forEach(x -> r.example("presence", x));
    }
}
