// Flink's evictors on a fixed input, run by Flink 2.3 itself (record.py compiles and runs this
// against the jars of apache-flink 2.3; PyFlink's Python API has no evictors). Each case prints
// "case|key|window|values", the values a ProcessWindowFunction (or a reduce's result) saw.

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.flink.api.common.eventtime.SerializableTimestampAssigner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.ReduceFunction;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.WindowedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.functions.windowing.delta.DeltaFunction;
import org.apache.flink.streaming.api.windowing.assigners.GlobalWindows;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.evictors.CountEvictor;
import org.apache.flink.streaming.api.windowing.evictors.DeltaEvictor;
import org.apache.flink.streaming.api.windowing.evictors.TimeEvictor;
import org.apache.flink.streaming.api.windowing.triggers.CountTrigger;
import org.apache.flink.streaming.api.windowing.windows.Window;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

public class EvictorCases {
    /** key, value, event time (ms). */
    static List<Tuple3<String, Integer, Long>> input() {
        List<Tuple3<String, Integer, Long>> rows = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            rows.add(Tuple3.of(i % 3 == 0 ? "b" : "a", (i * 7) % 23, (long) i * 10));
        }
        return rows;
    }

    static class ByKey implements KeySelector<Tuple3<String, Integer, Long>, String> {
        public String getKey(Tuple3<String, Integer, Long> t) { return t.f0; }
    }

    static class Describe<W extends Window> extends ProcessWindowFunction<Tuple3<String, Integer, Long>, String, String, W> {
        final String name;
        Describe(String name) { this.name = name; }
        public void process(String key, Context ctx, Iterable<Tuple3<String, Integer, Long>> elements, Collector<String> out) {
            StringBuilder values = new StringBuilder();
            for (Tuple3<String, Integer, Long> e : elements) {
                values.append(values.length() == 0 ? "" : " ").append(e.f1);
            }
            out.collect(name + "|" + key + "|" + ctx.window() + "|" + values);
        }
    }

    static class Sum implements ReduceFunction<Tuple3<String, Integer, Long>> {
        public Tuple3<String, Integer, Long> reduce(Tuple3<String, Integer, Long> a, Tuple3<String, Integer, Long> b) {
            return Tuple3.of(a.f0, a.f1 + b.f1, Math.max(a.f2, b.f2));
        }
    }

    static class Apart implements DeltaFunction<Tuple3<String, Integer, Long>> {
        public double getDelta(Tuple3<String, Integer, Long> a, Tuple3<String, Integer, Long> b) { return Math.abs(a.f1 - b.f1); }
    }

    public static void main(String[] args) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        SerializableTimestampAssigner<Tuple3<String, Integer, Long>> byTime = (t, ts) -> t.f2;
        DataStream<Tuple3<String, Integer, Long>> timed =
                env.fromData(input()).assignTimestampsAndWatermarks(WatermarkStrategy.<Tuple3<String, Integer, Long>>forMonotonousTimestamps().withTimestampAssigner(byTime));
        var tumbling = timed.keyBy(new ByKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(100)));
        DataStream<String> all = tumbling.evictor(CountEvictor.of(3)).process(new Describe<>("count"));
        all = all.union(timed.keyBy(new ByKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
                .trigger(CountTrigger.of(4)).evictor(CountEvictor.of(3, true)).process(new Describe<>("count_after")));
        all = all.union(timed.keyBy(new ByKey()).window(SlidingEventTimeWindows.of(Duration.ofMillis(120), Duration.ofMillis(40)))
                .evictor(TimeEvictor.of(Duration.ofMillis(30))).process(new Describe<>("time")));
        all = all.union(timed.keyBy(new ByKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(150)))
                .trigger(CountTrigger.of(3)).evictor(TimeEvictor.of(Duration.ofMillis(40), true)).process(new Describe<>("time_after")));
        all = all.union(timed.keyBy(new ByKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
                .evictor(DeltaEvictor.of(10.0, new Apart())).process(new Describe<>("delta")));
        all = all.union(timed.keyBy(new ByKey()).window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
                .evictor(CountEvictor.of(2)).reduce(new Sum()).map(t -> "reduce|" + t.f0 + "|" + t.f1 + "|" + t.f2));
        all = all.union(timed.keyBy(new ByKey()).window(GlobalWindows.create())
                .trigger(CountTrigger.of(5)).evictor(CountEvictor.of(3)).process(new Describe<>("global")));
        try (CloseableIterator<String> it = all.executeAndCollect()) {
            List<String> lines = new ArrayList<>();
            it.forEachRemaining(lines::add);
            lines.sort(null);
            for (String line : lines) {
                System.out.println(line);
            }
        }
    }
}
