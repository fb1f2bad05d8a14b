using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Tcd.MLNet;
using Tcd.MLNet.Estimators;
using Tcd.Models.Data;
using Tcd.Models.Data.Glue;
using Tcd.Models.Evaluation;
using Tcd.Models.Losses;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using TorchSharp;

namespace Tcd.Benchmarks;

/// <summary>
/// Whether memory grows over thousands of steps (issue: "every step inside a dispose scope, no native memory growth"):
/// a tiny model through vanilla, MoE and TCD pre-training (λ_A &gt; 0, so every relation tap runs), fine-tuning a
/// classifier with a validated best epoch, and batch inference through the ML.NET <c>Transform</c>, each
/// <see cref="BenchmarkOptions.SoakSteps"/> steps, sampling memory every tenth of them. Growth is the least-squares
/// slope over the samples after the first tenth (the warm-up: optimizer state, the allocator's pools, the best
/// epoch's weights); a part is flat when its live tensors do not move at all and its native memory in use (resident
/// memory where that is unknown, see <see cref="MemorySample"/>) and managed heap grow by less than
/// <see cref="ToleranceMegabytes"/> per 1,000 steps.
/// </summary>
internal sealed class MemorySoak
{
    /// <summary>
    /// Growth per 1,000 steps below which native memory in use and the managed heap count as flat: 1 KB a step, far below a
    /// leaked batch-sized activation (≈64 KB at this shape) and above the allocator's and the runtime's noise. A leak of a
    /// few bytes a step shows in the live tensors instead.
    /// </summary>
    private const double ToleranceMegabytes = 1.0;

    /// <summary>
    /// Fewest steps a part runs for its growth to be judged. Over a few hundred steps the warm-up (a tenth) is too short
    /// for the allocator's pools and the fine-tuner's epochs to settle, and a 0.2 MB step of the allocator extrapolates
    /// to more than the tolerance per 1,000 steps: a 300-step soak called fine-tuning "GROWS" with constant live tensors.
    /// </summary>
    private const int MinimumJudgedSteps = 1_000;

    private const int Experts = 8;
    private const int SequenceLength = 32;
    private const int BatchSize = 8;

    /// <summary>Validated and fine-tuned rows of SST-2's dev set, and the rows of one inference step.</summary>
    private const int DevRows = 32;

    private static readonly BertConfig Shape = new() { NumLayers = 2, HiddenSize = 64, NumHeads = 2, IntermediateSize = 256, MaxPositions = 64 };

    private readonly BenchmarkOptions options;
    private readonly BertTextEncoder encoder;
    private readonly TextCorpus corpus;
    private readonly string glueFolder;

    public MemorySoak(BenchmarkOptions options, BertTextEncoder encoder, TextCorpus corpus, string glueFolder)
    {
        this.options = options;
        this.encoder = encoder;
        this.corpus = corpus;
        this.glueFolder = glueFolder;
    }

    private int Steps => options.SoakSteps;

    private int SampleEvery => Math.Max(1, Steps / 10);

    /// <summary>Whether the parts run long enough for their growth to be judged (<see cref="MinimumJudgedSteps"/>).</summary>
    private bool Judged => Steps >= MinimumJudgedSteps;

    /// <summary>Runs every part, logs its samples and growth, and returns whether all were flat.</summary>
    public bool Run(Action<string> log)
    {
        log($"Memory soak: {Steps} steps per part at L={Shape.NumLayers} H={Shape.HiddenSize} A={Shape.NumHeads} FFN={Shape.IntermediateSize} " +
            $"({Experts} experts for MoE and TCD), seq {SequenceLength}, batch {BatchSize}; a sample every {SampleEvery} steps, after a full GC");
        log($"  RSS: {MemorySample.ResidentSource}; malloc: native memory in use (glibc's mallinfo2, without the freed memory the allocator keeps); " +
            "managed: GC.GetTotalMemory; live tensors: TorchSharp's DisposeScopeManager.Statistics.ThreadTotalLiveCount (created minus disposed on this thread)");
        log(FormattableString.Invariant(
            $"  growth: least-squares slope over the samples after step {SampleEvery}; flat: live tensors constant, malloc in use (RSS where it is not known) and managed heap under {ToleranceMegabytes} MB per 1000 steps"));
        var sst2 = new GlueReader(glueFolder);
        var train = sst2.Read(GlueTask.Sst2, "train").ToList();
        var dev = sst2.Read(GlueTask.Sst2, "dev").Take(DevRows).ToList();
        var parts = new (string Name, Func<List<MemorySample>> Run)[]
        {
            ("vanilla pre-training", () => Pretrain(PretrainingObjective.MaskedLanguageModel, Shape, withTeacher: false)),
            ("MoE pre-training", () => Pretrain(PretrainingObjective.MixtureOfExperts(), Shape.WithExperts(Experts), withTeacher: false)),
            ("TCD distillation (λ_A = 1)", () => Pretrain(PretrainingObjective.TransferCapabilityDistillation(attentionWeight: 1), Shape.WithExperts(Experts), withTeacher: true)),
            ("fine-tuning (FineTuner, SST-2)", () => FineTune(train, dev)),
            ($"batch inference (ML.NET Transform of {DevRows} rows a step)", () => Infer(train, dev)),
        };

        var grown = new List<string>();
        foreach (var (name, run) in parts)
        {
            log("");
            log($"  {name}");
            log("       step    RSS MB  malloc MB  managed MB  live tensors");
            var clock = Stopwatch.StartNew();
            var samples = run();
            foreach (var sample in samples)
            {
                var malloc = sample.MallocMegabytes is { } inUse ? inUse.ToString("F1", CultureInfo.InvariantCulture) : "-";
                log(FormattableString.Invariant($"  {sample.Step,9} {sample.ResidentMegabytes,9:F1} {malloc,10} {sample.ManagedMegabytes,11:F2} {sample.LiveTensors,13}"));
            }

            if (!LogGrowth(samples, clock.Elapsed, log))
            {
                grown.Add(name);
            }
        }

        log("");
        log(grown.Count > 0 ? $"Verdict: GROWTH in {string.Join(", ", grown)}."
            : Judged ? "Verdict: no growth in any part."
            : FormattableString.Invariant($"Verdict: live tensors constant in every part; memory not judged, as {Steps} steps per part are too few: give --soak-steps {MinimumJudgedSteps} or more."));
        return grown.Count == 0;
    }

    /// <summary>
    /// Logs the growth per 1,000 steps after the warm-up and returns whether the part is flat: its live tensors, which
    /// are exact, always; its memory only in a run of <see cref="MinimumJudgedSteps"/> or more.
    /// </summary>
    private bool LogGrowth(IReadOnlyList<MemorySample> samples, TimeSpan elapsed, Action<string> log)
    {
        var afterWarmUp = samples.Where(sample => sample.Step > SampleEvery).ToList();
        var thousands = afterWarmUp.Select(sample => sample.Step / 1000.0).ToList();
        double Growth(Func<MemorySample, double> value) => Statistics.Slope(thousands, afterWarmUp.Select(value).ToList());
        var resident = Growth(sample => sample.ResidentMegabytes);
        double? malloc = afterWarmUp.All(sample => sample.MallocMegabytes is not null) ? Growth(sample => sample.MallocMegabytes!.Value) : null;
        var managed = Growth(sample => sample.ManagedMegabytes);
        var tensors = Growth(sample => sample.LiveTensors);
        var tensorsConstant = afterWarmUp.Select(sample => sample.LiveTensors).Distinct().Count() == 1;
        // Resident memory judges only where the memory in use is unknown: it also holds what the allocator keeps for reuse.
        var memoryFlat = (malloc ?? resident) < ToleranceMegabytes && managed < ToleranceMegabytes;
        var flat = tensorsConstant && (memoryFlat || !Judged);
        var verdict = !tensorsConstant || (Judged && !memoryFlat) ? "GROWS" : Judged ? "flat" : "live tensors flat, memory not judged";
        var tensorsText = tensorsConstant ? "0 (constant)" : Signed(tensors, 1);
        var mallocText = malloc is { } inUse ? $", malloc {Signed(inUse, 2)} MB" : "";
        log(FormattableString.Invariant(
            $"    growth per 1000 steps: RSS {Signed(resident, 2)} MB{mallocText}, managed {Signed(managed, 3)} MB, live tensors {tensorsText} -> {verdict} ({elapsed.TotalSeconds:F0} s)"));
        return flat;
    }

    /// <summary>"+0.12", "-0.12" or "0.00": rounded first, so a tiny negative value does not print as "-+0.00".</summary>
    private static string Signed(double value, int decimals)
    {
        var digits = "0." + new string('0', decimals);
        return (Math.Round(value, decimals) + 0.0).ToString($"+{digits};-{digits};{digits}", CultureInfo.InvariantCulture);
    }

    private List<MemorySample> Pretrain(PretrainingObjective objective, BertConfig config, bool withTeacher)
    {
        torch.manual_seed(options.Seed);
        using var student = new BertForMaskedLm(config);
        using var teacher = withTeacher ? new BertForMaskedLm(Shape) : null;
        var samples = new List<MemorySample> { MemorySample.Take(0) };
        var trainingOptions = new PretrainingOptions
        {
            TotalSteps = Steps,
            BatchSize = BatchSize,
            MaxSequenceLength = SequenceLength,
            LogEvery = SampleEvery,
            Seed = options.Seed,
            Device = options.Device,
            Threads = options.Threads,
            ReuseNativeMemory = !options.SystemAllocator,
            // 128 relation tokens of the 256 of a batch (the paper's 4,096 assume batches of 32 × 128).
            RelationSampling = new RelationTokenSamplerOptions { GroupCount = 4, GroupSize = 32 },
        };
        new Pretrainer(student, objective, trainingOptions, encoder, teacher?.Bert)
            .Run(corpus, progress: new SynchronousProgress<PretrainingProgress>(report => samples.Add(MemorySample.Take(report.Step))));
        return samples;
    }

    /// <summary>Ten epochs of a tenth of the steps each, every epoch validated, so the best epoch's weights are copied and replaced.</summary>
    private List<MemorySample> FineTune(IReadOnlyList<GlueExample> train, IReadOnlyList<GlueExample> dev)
    {
        var trainExamples = Enumerable.Range(0, SampleEvery * BatchSize).Select(i => Example(train[i % train.Count])).ToList();
        var devExamples = dev.Select(Example).ToList();
        torch.manual_seed(options.Seed);
        using var classifier = new BertForSequenceClassification(Shape, numLabels: 2);
        var tuner = new FineTuner(classifier, new FineTuningOptions
        {
            Epochs = 10,
            BatchSize = BatchSize,
            MaxSequenceLength = SequenceLength,
            LearningRate = 1e-4,
            LogEvery = SampleEvery,
            Seed = options.Seed,
            Device = options.Device,
            Threads = options.Threads,
            ReuseNativeMemory = !options.SystemAllocator,
        }, encoder.SpecialTokenIds);
        var samples = new List<MemorySample> { MemorySample.Take(0) };
        tuner.Train(
            trainExamples,
            devExamples,
            (outputs, targets) => GlueMetrics.EvaluateOutputs(GlueTask.Sst2, outputs, targets).Score,
            new SynchronousProgress<FineTuningProgress>(report =>
            {
                if (!report.IsEpochSummary && report.ValidationExamplesScored is null)
                {
                    samples.Add(MemorySample.Take(report.Step));
                }
            }));
        return samples;

        FineTuningExample Example(GlueExample row) => new(encoder.Encode(row.Text, maxSequenceLength: SequenceLength), row.Label!.Value);
    }

    /// <summary>A classifier fitted through <c>mlContext.Tcd()</c> on a few rows, then one batch Transform read to the end per step.</summary>
    private List<MemorySample> Infer(IReadOnlyList<GlueExample> train, IReadOnlyList<GlueExample> dev)
    {
        var ml = new MLContext(seed: 1);
        var folder = Path.Combine(Path.GetTempPath(), "tcd-bench-soak-" + Guid.NewGuid().ToString("N"));
        try
        {
            torch.manual_seed(options.Seed);
            using (var model = new BertForMaskedLm(Shape))
            {
                BertModelStore.Save(model, model.Config, folder);
            }

            var training = new FineTuningOptions
            {
                Epochs = 1, BatchSize = BatchSize, MaxSequenceLength = SequenceLength, Device = options.Device, Threads = options.Threads, Seed = options.Seed,
            };
            var classifier = ml.Tcd().TextClassifier(ml.Tcd().LoadPretrained(folder), new BertFineTuningOptions { Training = training })
                .Fit(ml.Data.LoadFromEnumerable(train.Take(DevRows).Select(ClassifierSpeed.SentimentRow.From)));
            var rows = ml.Data.LoadFromEnumerable(dev.Select(ClassifierSpeed.SentimentRow.From).ToList());
            var samples = new List<MemorySample> { MemorySample.Take(0) };
            for (var step = 1; step <= Steps; step++)
            {
                ClassifierSpeed.ReadPredictedLabels(classifier, rows);
                if (step % SampleEvery == 0 || step == Steps)
                {
                    samples.Add(MemorySample.Take(step));
                }
            }

            ml.Tcd().DisposeModel(classifier);
            return samples;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
