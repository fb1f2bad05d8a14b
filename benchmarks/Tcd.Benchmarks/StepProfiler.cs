using Tcd.Models.Data;
using Tcd.Models.Losses;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Tcd.Benchmarks;

/// <summary>
/// <c>--profile</c>: where the time of one pre-training step goes. Replays <see cref="Pretrainer"/>'s step with the
/// same public building blocks (data pipeline, forward, losses, <see cref="AdamWFactory"/>, clipping) and times each
/// phase separately, wall and CPU.
/// </summary>
/// <remarks>
/// To separate the relation losses' backward from the network's, the student's taps are cut from the graph: the
/// relation losses run on detached leaf copies, their backward fills the leaves' gradients, and the network backward
/// then receives those gradients through the surrogate <c>Σ tap · grad</c> — the same parameter gradients as one
/// backward of the full loss. On CPU libtorch runs synchronously, so the host reads (routing counts inside the MoE
/// forward, the loss values read back after the step) cost only their small copies; they are timed where separable.
/// </remarks>
internal sealed class StepProfiler
{
    private static readonly string[] Phases =
    [
        "zero_grad", "data (collate+mask)", "student forward + MLM/LB loss", "teacher forward (no_grad)",
        "relation losses (value+gradient)", "relation losses backward", "network backward", "loss read-back (host sync)",
        "clip + AdamW step",
    ];

    private readonly BenchmarkOptions options;
    private readonly BertTextEncoder encoder;
    private readonly TextCorpus corpus;

    public StepProfiler(BenchmarkOptions options, BertTextEncoder encoder, TextCorpus corpus)
    {
        this.options = options;
        this.encoder = encoder;
        this.corpus = corpus;
    }

    /// <summary>Profiles the vanilla, MoE and TCD objectives in turn and prints a table per objective.</summary>
    public void Run(Action<string> log, Device device)
    {
        var vanillaConfig = options.Model;
        var moeConfig = vanillaConfig.WithExperts(options.ExpertCount);
        var training = new PretrainingOptions { BatchSize = options.BatchSize, MaxSequenceLength = options.SequenceLength, Seed = options.Seed };
        var rows = new SegmentPacker(encoder, options.SequenceLength).Pack(corpus).Take(options.BatchSize * (options.WarmupSteps + options.Steps)).ToList();
        torch.manual_seed(options.Seed);
        var teacher = new BertForMaskedLm(vanillaConfig).to(device).to(TorchRuntime.ScalarTypeOf(options.TeacherPrecision));

        teacher.eval();
        var runs = new (string Name, BertConfig Config, PretrainingObjective Objective)[]
        {
            ("vanilla", vanillaConfig, PretrainingObjective.MaskedLanguageModel),
            ("moe", moeConfig, PretrainingObjective.MixtureOfExperts()),
            ("tcd", moeConfig, PretrainingObjective.TransferCapabilityDistillation()),
        };

        foreach (var (name, config, objective) in runs)
        {
            torch.manual_seed(options.Seed);
            var student = new BertForMaskedLm(config).to(device);
            var timings = Phases.ToDictionary(p => p, _ => new List<Timing>());
            var totals = new List<Timing>();
            using var optimizer = AdamWFactory.Create(student, training.LearningRate, training.WeightDecay, training.Beta1, training.Beta2);
            for (var step = 0; step < options.WarmupSteps + options.Steps; step++)
            {
                var batchRows = rows.Skip(step * options.BatchSize).Take(options.BatchSize).ToList();
                var start = Timing.Start();
                var phases = ProfileStep(student, objective.NeedsTeacher ? teacher.Bert : null, objective, training, batchRows, step, optimizer, device);
                var total = start.Elapsed();
                if (step >= options.WarmupSteps)
                {
                    totals.Add(total);
                    foreach (var (phase, timing) in phases)
                    {
                        timings[phase].Add(timing);
                    }
                }
            }

            Print(log, name, timings, totals);
            student.Dispose();
        }
    }

    private List<(string Phase, Timing Timing)> ProfileStep(
        BertForMaskedLm student, BertModel? teacher, PretrainingObjective objective, PretrainingOptions training,
        IReadOnlyList<EncodedText> rows, int step, TorchSharp.Modules.AdamW optimizer, Device device)
    {
        var phases = new List<(string, Timing)>();
        var mark = Timing.Start();
        void Lap(string phase)
        {
            phases.Add((phase, mark.Elapsed()));
            mark = Timing.Start();
        }

        using var scope = NewDisposeScope();
        student.train();
        torch.manual_seed(options.Seed + step);
        student.zero_grad(set_to_none: true);
        Lap(Phases[0]);

        using var batch = new MlmMasker(encoder, training.Masking).Mask(new BatchCollator(encoder.SpecialTokenIds).Collate(rows, device), options.Seed + step);
        Lap(Phases[1]);

        var taps = teacher is null ? EncoderTaps.None : EncoderTaps.Trunk | EncoderTaps.Inner;
        var (positions, labels) = MaskedPositions.Select(batch.Labels!);
        var output = student.forward(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, taps, positions);
        var loss = MaskedLmLoss.Compute(output.Logits, labels);
        if (student.Config.IsMoe)
        {
            loss = loss + objective.LoadBalanceWeight * output.Encoder.LoadBalanceLoss!;
        }

        Lap(Phases[2]);
        var terms = new List<Tensor> { loss };
        if (teacher is not null)
        {
            BertModelOutput teacherOutput;
            using (torch.no_grad())
            {
                teacherOutput = teacher.forward(batch.InputIds, batch.TokenTypeIds, batch.AttentionMask, taps);
            }

            Lap(Phases[3]);
            var trunkLeaves = output.Encoder.Trunk.Select(t => t.detach().requires_grad_(true)).ToList();
            var innerLeaves = output.Encoder.Inner.Select(t => t.detach().requires_grad_(true)).ToList();
            using var sampler = new RelationTokenSampler(training.RelationSampling.ForMicroBatches(options.AccumulationSteps), options.Seed + step);
            var sample = sampler.Sample(batch.AttentionMask);
            var mapping = new LayerMapping(student.Config.NumLayers, teacher.Config.NumLayers);
            var relations = objective.TrunkWeight * RelationAlignmentLoss.Compute(trunkLeaves, teacherOutput.Trunk, sample, mapping)
                            + objective.InnerWeight * RelationAlignmentLoss.Compute(innerLeaves, teacherOutput.Inner, sample, mapping);
            Lap(Phases[4]);
            relations.backward();
            Lap(Phases[5]);
            var surrogate = output.Encoder.Trunk.Concat(output.Encoder.Inner)
                .Zip(trunkLeaves.Concat(innerLeaves), (tap, leaf) => tap.mul(leaf.grad!).sum());
            loss = loss + torch.stack(surrogate.ToArray()).sum();
            terms.Add(relations.detach());
        }

        loss.backward();
        Lap(Phases[6]);
        _ = torch.stack(terms.Select(t => t.detach()).ToArray()).cpu().data<float>().ToArray();
        Lap(Phases[7]);
        AdamWFactory.Step(optimizer, training.LearningRate, training.MaxGradientNorm);
        Lap(Phases[8]);
        return phases;
    }

    private static void Print(Action<string> log, string name, Dictionary<string, List<Timing>> timings, List<Timing> totals)
    {
        var wallTotal = Statistics.Median(totals.Select(t => t.WallSeconds).ToList());
        var cpuTotal = Statistics.Median(totals.Select(t => t.CpuSeconds).ToList());
        log(FormattableString.Invariant($"  {name}: step median {wallTotal * 1000:F0} ms wall, {cpuTotal * 1000:F0} ms CPU over {totals.Count} steps"));
        foreach (var (phase, list) in timings.Where(kv => kv.Value.Count > 0))
        {
            var wall = Statistics.Median(list.Select(t => t.WallSeconds).ToList());
            var cpu = Statistics.Median(list.Select(t => t.CpuSeconds).ToList());
            var faults = Statistics.MedianPageFaults(list.Select(t => t.PageFaults).ToList()) is { } median
                ? FormattableString.Invariant($" {median,8:F0} page faults")
                : string.Empty;
            log(FormattableString.Invariant($"    {phase,-32} {wall * 1000,8:F1} ms wall {cpu * 1000,8:F1} ms CPU ({cpu / cpuTotal,4:P0} of CPU){faults}"));
        }
    }
}
