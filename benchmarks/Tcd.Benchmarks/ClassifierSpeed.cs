using System.Diagnostics;
using Microsoft.ML;
using Tcd.MLNet;
using Tcd.MLNet.Estimators;
using Tcd.Models.Data.Glue;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using TorchSharp;

namespace Tcd.Benchmarks;

/// <summary>
/// What an ML.NET user of a fine-tuned model waits for, through the front door (<c>mlContext.Tcd()</c>): examples per
/// second of fine-tuning an SST-2 classifier, rows per second of a batch <c>Transform</c> over the SST-2 dev set, and
/// the latency of one <c>PredictionEngine.Predict</c> call — for a vanilla model and a MoE model of the same shape, in
/// fp32 and after <c>MoveModel(..., ComputePrecision.BFloat16)</c>.
/// </summary>
internal sealed class ClassifierSpeed
{
    private readonly BenchmarkOptions options;
    private readonly string glueFolder;

    public ClassifierSpeed(BenchmarkOptions options, string glueFolder)
    {
        this.options = options;
        this.glueFolder = glueFolder;
    }

    public void Run(Action<string> log)
    {
        var ml = new MLContext(seed: 1);
        var reader = new GlueReader(glueFolder);
        var trainRows = reader.Read(GlueTask.Sst2, "train").Take(options.FineTuningRows).Select(SentimentRow.From).ToList();
        var devRows = reader.Read(GlueTask.Sst2, "dev").Select(SentimentRow.From).ToList();
        var train = ml.Data.LoadFromEnumerable(trainRows);
        var dev = ml.Data.LoadFromEnumerable(devRows);
        var training = new FineTuningOptions
        {
            Epochs = 1, LogEvery = 1, MaxSequenceLength = options.SequenceLength, Device = options.Device, Threads = options.Threads, Seed = options.Seed,
        };
        log($"SST-2 classifier through mlContext.Tcd(): fine-tuning 1 epoch on {trainRows.Count} train rows (batch {training.BatchSize}, first step excluded), " +
            $"batch Transform of the {devRows.Count} dev rows (median of 3), PredictionEngine on {options.PredictionCalls} dev rows after 5 warm-up calls");

        foreach (var experts in new[] { 0, options.ExpertCount })
        {
            var name = experts == 0 ? "vanilla" : $"MoE ({experts} experts)";
            var folder = Path.Combine(Path.GetTempPath(), "tcd-bench-classifier-" + Guid.NewGuid().ToString("N"));
            try
            {
                torch.manual_seed(options.Seed);
                using (var model = new BertForMaskedLm(experts == 0 ? options.Model : options.Model.WithExperts(experts)))
                {
                    BertModelStore.Save(model, model.Config, folder);
                }

                var stepTimes = new List<TimeSpan>();
                var estimator = ml.Tcd().TextClassifier(ml.Tcd().LoadPretrained(folder), new BertFineTuningOptions
                {
                    Training = training,
                    Progress = new SynchronousProgress<FineTuningProgress>(report =>
                    {
                        if (!report.IsEpochSummary)
                        {
                            stepTimes.Add(report.Elapsed);
                        }
                    }),
                });
                var classifier = estimator.Fit(train);
                var fineTuning = (stepTimes.Count - 1) * training.BatchSize / (stepTimes[^1] - stepTimes[0]).TotalSeconds;

                log($"  {name,-18} fine-tuning {fineTuning,7:F1} examples/s");
                var exact = Serve(ml, classifier, dev, devRows, "fp32", reference: null, log);
                ml.Tcd().MoveModel(classifier, options.Device, ComputePrecision.BFloat16);
                Serve(ml, classifier, dev, devRows, "bf16", exact, log);
                ml.Tcd().DisposeModel(classifier);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// Times the batch Transform (median of 3) and PredictionEngine calls of <paramref name="classifier"/> as it now is, and
    /// logs them; next to a <paramref name="reference"/> (the fp32 probabilities) it also says how far its predictions moved.
    /// </summary>
    /// <returns>The probability of each dev row.</returns>
    private float[] Serve(MLContext ml, ITransformer classifier, IDataView dev, IReadOnlyList<SentimentRow> devRows, string precision, float[]? reference, Action<string> log)
    {
        var transformSeconds = Enumerable.Range(0, 3).Select(_ => TimeTransform(classifier, dev)).ToList();
        var rowsPerSecond = devRows.Count / Statistics.Median(transformSeconds);

        var engine = ml.Model.CreatePredictionEngine<SentimentRow, SentimentPrediction>(classifier);
        foreach (var row in devRows.Take(5))
        {
            engine.Predict(row);
        }

        var latencies = devRows.Take(options.PredictionCalls).Select(row =>
        {
            var clock = Stopwatch.StartNew();
            engine.Predict(row);
            return clock.Elapsed.TotalMilliseconds;
        }).ToList();
        var probabilities = ml.Data.CreateEnumerable<SentimentPrediction>(classifier.Transform(dev), reuseRowObject: false).Select(p => p.Probability).ToArray();
        var agreement = reference is null
            ? string.Empty
            : FormattableString.Invariant($" | {probabilities.Zip(reference).Count(pair => pair.First > 0.5f == pair.Second > 0.5f)}/{probabilities.Length} labels as fp32, max |Δp| {probabilities.Zip(reference).Max(pair => Math.Abs(pair.First - pair.Second)):F4}");
        log($"    {precision,-16} Transform {rowsPerSecond,7:F1} rows/s | " +
            $"Predict median {Statistics.Median(latencies),6:F1} ms, p90 {Statistics.Percentile(latencies, 0.9),6:F1} ms{agreement}");
        return probabilities;
    }

    /// <summary>Seconds to score every row (the lazy Transform runs while the cursor reads the predictions).</summary>
    private static double TimeTransform(ITransformer classifier, IDataView data)
    {
        var clock = Stopwatch.StartNew();
        ReadPredictedLabels(classifier, data);
        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Scores every row of <paramref name="data"/>: a batch Transform whose cursor reads each predicted label.</summary>
    internal static void ReadPredictedLabels(ITransformer classifier, IDataView data)
    {
        var scored = classifier.Transform(data);
        var column = scored.Schema["PredictedLabel"];
        using var cursor = scored.GetRowCursor([column]);
        var getter = cursor.GetGetter<bool>(column);
        var label = false;
        while (cursor.MoveNext())
        {
            getter(ref label);
        }
    }

    public sealed class SentimentRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }

        public static SentimentRow From(GlueExample example) => new() { Text = example.Text, Label = example.Label == 1 };
    }

    public sealed class SentimentPrediction
    {
        public bool PredictedLabel { get; set; }

        public float Probability { get; set; }
    }
}
