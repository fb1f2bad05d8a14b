using Tcd.Models.Data;
using Tcd.Models.Modeling;
using Tcd.Models.Training;
using TorchSharp;
using Tcd.Models.Runtime;

namespace Tcd.Benchmarks;

/// <summary>
/// Tokens per second of real pre-training steps through <see cref="Pretrainer"/>: one run per objective and round,
/// a progress report after every step, the first <see cref="BenchmarkOptions.WarmupSteps"/> reports of a run
/// dropped (they include packing the corpus into the shuffle buffer and libtorch's first-call allocations).
/// </summary>
internal sealed class PretrainingThroughput
{
    private readonly BenchmarkOptions options;
    private readonly BertTextEncoder encoder;
    private readonly TextCorpus corpus;

    public PretrainingThroughput(BenchmarkOptions options, BertTextEncoder encoder, TextCorpus corpus)
    {
        this.options = options;
        this.encoder = encoder;
        this.corpus = corpus;
    }

    /// <summary>Per-step throughput of the vanilla, MoE and TCD objectives, runs interleaved round by round.</summary>
    public (List<StepSample> Vanilla, List<StepSample> Moe, List<StepSample> Tcd) Measure(Action<string> log)
    {
        var vanillaConfig = options.Model;
        var moeConfig = vanillaConfig.WithExperts(options.ExpertCount);
        torch.manual_seed(options.Seed);
        var vanilla = new BertForMaskedLm(vanillaConfig);
        var teacher = new BertForMaskedLm(vanillaConfig);
        var moe = new BertForMaskedLm(moeConfig);
        var tcd = new BertForMaskedLm(moeConfig);
        var objectives = new (string Name, Func<PretrainingOptions, Pretrainer> Create)[]
        {
            ("vanilla", o => new Pretrainer(vanilla, PretrainingObjective.MaskedLanguageModel, o, encoder)),
            ("moe", o => new Pretrainer(moe, PretrainingObjective.MixtureOfExperts(), o, encoder)),
            ("tcd", o => new Pretrainer(tcd, PretrainingObjective.TransferCapabilityDistillation(), o, encoder, teacher.Bert)),
        };

        // An untimed run of each objective first: the first large allocations of a process (gradients and AdamW
        // moments of 100 M expert weights) are far slower than later ones and would otherwise penalise whichever
        // MoE objective runs first.
        foreach (var (_, create) in objectives)
        {
            create(TrainingOptions() with { TotalSteps = Math.Max(1, options.WarmupSteps) }).Run(corpus);
        }

        var runs = objectives.Select(o => (o.Name, Trainer: o.Create(TrainingOptions()), Samples: new List<StepSample>())).ToArray();

        for (var round = 1; round <= options.Rounds; round++)
        {
            foreach (var (name, trainer, samples) in runs)
            {
                var measured = Run(trainer, round, out var lastLoss).Skip(options.WarmupSteps).ToList();
                samples.AddRange(measured);
                var wall = Statistics.Median(measured.Select(m => m.TokensPerSecond).ToList());
                var cpu = Statistics.Median(measured.Select(m => m.TokensPerCpuSecond).ToList());
                log(FormattableString.Invariant(
                    $"  round {round}/{options.Rounds} {name,-7} median {wall,8:F0} tok/s wall, {cpu,8:F0} tok/CPU-s{PageFaultText(measured)} over {measured.Count} steps (loss {lastLoss:G4})"));
            }
        }

        return (runs[0].Samples, runs[1].Samples, runs[2].Samples);
    }

    /// <summary>One run with a report after every step; the CPU time between two reports is the step's.</summary>
    private List<StepSample> Run(Pretrainer trainer, int round, out double lastLoss)
    {
        var samples = new List<StepSample>();
        var loss = double.NaN;
        var mark = Timing.Start();
        trainer.Run(corpus, progress: new SynchronousProgress<PretrainingProgress>(report =>
        {
            var step = mark.Elapsed();
            mark = Timing.Start();
            var tokens = report.TokensPerSecond * step.WallSeconds;
            samples.Add(new StepSample(round, report.TokensPerSecond, tokens / Math.Max(1e-9, step.CpuSeconds), step.PageFaults));
            loss = report.Losses["loss"];
        }));
        lastLoss = loss;
        return samples;
    }

    /// <summary>", N page faults/step" (median) where the steps' page faults were counted, otherwise empty.</summary>
    internal static string PageFaultText(IReadOnlyList<StepSample> samples) =>
        Statistics.MedianPageFaults(samples.Select(s => s.PageFaults).ToList()) is { } faults
            ? FormattableString.Invariant($", {faults,7:F0} page faults/step")
            : string.Empty;

    private PretrainingOptions TrainingOptions() => new()
    {
        TotalSteps = options.WarmupSteps + options.Steps,
        BatchSize = options.BatchSize,
        GradientAccumulationSteps = options.AccumulationSteps,
        MaxSequenceLength = options.SequenceLength,
        TeacherPrecision = options.TeacherPrecision,
        LogEvery = 1,
        Seed = options.Seed,
        Device = options.Device,
        Threads = options.Threads,
        ReuseNativeMemory = !options.SystemAllocator,
        // Enough segments for every run to draw full batches without packing the corpus twice.
        ShuffleBufferSize = 2_048,
    };
}
