using System.Runtime.InteropServices;
using Tcd.Models.Data;
using Tcd.Models.Evaluation;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;
using Tcd.Models.Xpert;
using Tcd.Models.Tests.Training;
using Tcd.Models.Tests.Xpert;
using TorchSharp;
using static Tcd.Models.Tests.Training.PretrainerFixture;
using static TorchSharp.torch;

namespace Tcd.Models.Tests.Runtime;

/// <summary>
/// Device readiness without a GPU: every step of pre-training, distillation, fine-tuning, evaluation and XPERT runs on
/// the CPU inside a <see cref="DevicelessTensorTrap"/>, so a tensor the library creates without the device of its
/// model or input fails the test, as it would fail on CUDA. Checks that need weights off the CPU put them on the meta
/// device itself; whole forward passes cannot run there, as libtorch has no meta kernel for embedding lookups, <c>where</c>
/// (inside <c>scaled_dot_product_attention</c>), <c>nonzero</c> or copies to the host.
/// </summary>
public sealed class MetaDeviceTests
{
    private static readonly Device Meta = device("meta");

    [Fact]
    public void Distilling_a_moe_student_from_a_teacher_creates_no_tensor_off_the_device()
    {
        using var teacher = NewModel(Vanilla, seed: 3);
        using var student = NewModel(Moe, seed: 5);
        var objective = PretrainingObjective.TransferCapabilityDistillation(attentionWeight: 1);
        var trainer = new Pretrainer(student, objective, FastOptions(2), Encoder, teacher.Bert);

        using (new DevicelessTensorTrap())
        {
            Run(trainer, RepeatedText()).Should().HaveCount(2);
        }
    }

    [Fact]
    public void Checkpointing_and_resuming_create_no_tensor_off_the_device()
    {
        var folder = Path.Combine(Path.GetTempPath(), $"tcd-meta-resume-{Guid.NewGuid():N}");
        var options = FastOptions(3) with { CheckpointDirectory = folder, CheckpointEvery = 1 };
        try
        {
            using var stopped = NewModel(Moe);
            using var resumed = NewModel(Moe, seed: 77);
            using (new DevicelessTensorTrap())
            using (var cancel = new CancellationTokenSource())
            {
                var progress = new SynchronousProgress<PretrainingProgress>(row => cancel.Cancel());
                new Pretrainer(stopped, PretrainingObjective.MaskedLanguageModel, options, Encoder)
                    .Run(RepeatedText(), progress: progress, cancellationToken: cancel.Token);

                Run(new Pretrainer(resumed, PretrainingObjective.MaskedLanguageModel, options, Encoder), RepeatedText())
                    .Select(row => row.Step).Should().Equal(2L, 3L);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_teacher_on_another_device_than_the_student_teaches_from_a_copy_and_is_never_moved()
    {
        using var teacher = NewModel(Vanilla, seed: 3);
        using var student = NewModel(Vanilla, seed: 5);
        var objective = PretrainingObjective.TransferCapabilityDistillation(attentionWeight: 1);
        var trainer = new Pretrainer(student, objective, FastOptions(1) with { Device = "meta" }, Encoder, teacher.Bert);

        // Training cannot run on the meta device, but it fails only at its first forward pass, after the teacher was placed.
        var run = () => trainer.Run(RepeatedText());

        run.Should().Throw<ExternalException>().WithMessage("*Meta*");
        teacher.parameters().Should().OnlyContain(parameter => parameter.device_type == DeviceType.CPU);
        teacher.training.Should().BeTrue("the teacher is handed back in the mode it came in");
    }

    [Fact]
    public void Adapter_fine_tuning_and_prediction_create_no_tensor_off_the_device()
    {
        using var model = FineTuningFixture.NewClassifier();
        // Adapters are new modules, and new modules are made on the default device (as in PyTorch), then moved to the
        // model's: they are added before the trap is set.
        var tuner = new FineTuner(model, FineTuningFixture.Fast(FineTuningMode.Adapters, epochs: 1), Encoder.SpecialTokenIds);

        using (new DevicelessTensorTrap())
        {
            var examples = FineTuningFixture.SentimentExamples();
            tuner.Train(examples, examples);
        }
    }

    [Fact]
    public void Masked_lm_evaluation_creates_no_tensor_off_the_device()
    {
        using var model = NewModel(Moe);
        var segments = RepeatedTexts().Take(6).Select(text => Encoder.Encode(text, maxSequenceLength: 32)).ToList();

        using (new DevicelessTensorTrap())
        {
            MaskedLmEvaluator.Evaluate(model, segments, new MlmMasker(Encoder), batchSize: 4, maskSeed: 1).Count.Should().BePositive();
        }
    }

    [Fact]
    public void Optimizer_steps_outside_the_fused_cpu_path_create_no_tensor_off_the_device()
    {
        // Float64 weights take the tensor path that CUDA weights take.
        using var model = NewModel(Vanilla).to(ScalarType.Float64);
        using var optimizer = AdamWFactory.Create(model, learningRate: 1e-3, weightDecay: 0.01);
        model.parameters().ToList().ForEach(parameter => parameter.grad = ones_like(parameter));

        using (new DevicelessTensorTrap())
        {
            AdamWFactory.Step(optimizer, learningRate: 1e-3, maxGradientNorm: 1).Should().BePositive();
        }
    }

    [Fact]
    public void Xpert_pipeline_creates_no_tensor_off_the_device()
    {
        manual_seed(7);
        using var source = new BertForMaskedLm(ExpertActivationAnalyzerTests.MoeConfig);
        var target = XpertPipelineTests.TinyTarget;
        var options = XpertPipelineTests.TinyOptions(maxIterations: 2);

        using (new DevicelessTensorTrap())
        {
            using var result = new XpertPipeline(BertTextEncoder.CreateUncased(), options).Run(source, ExpertActivationAnalyzerTests.Domains(), target);
            using var model = result.Model;
        }
    }

    [Fact]
    public void Optimizer_state_resumed_from_a_checkpoint_follows_the_weights_to_their_device()
    {
        var path = Path.Combine(Path.GetTempPath(), $"tcd-meta-optimizer-{Guid.NewGuid():N}.bin");
        try
        {
            using (var saved = NewModel(Vanilla))
            using (var optimizer = AdamWFactory.Create(saved, learningRate: 1e-3, weightDecay: 0.01))
            {
                saved.parameters().ToList().ForEach(parameter => parameter.grad = ones_like(parameter));
                AdamWFactory.Step(optimizer, learningRate: 1e-3, maxGradientNorm: 0);
                optimizer.save_state_dict(path);
            }

            using var resumed = new BertForMaskedLm(Vanilla, Meta);
            using var resumedOptimizer = AdamWFactory.Create(resumed, learningRate: 1e-3, weightDecay: 0.01);
            resumedOptimizer.load_state_dict(path);
            resumed.parameters().ToList().ForEach(parameter => parameter.grad = ones_like(parameter));

            // Clipping off: the global norm is read on the host, which meta tensors cannot be.
            AdamWFactory.Step(resumedOptimizer, learningRate: 1e-3, maxGradientNorm: 0);

            resumedOptimizer.state_dict().State.Cast<TorchSharp.Modules.AdamW.State>()
                .Should().OnlyContain(state => state.exp_avg.device_type == DeviceType.META && state.exp_avg_sq.device_type == DeviceType.META);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Collated_batches_are_made_on_the_requested_device()
    {
        var collator = new BatchCollator(Encoder.SpecialTokenIds);
        var rows = new[] { Encoder.Encode("a short one", null, 16), Encoder.Encode("and a somewhat longer sentence", null, 16) };

        using var batch = collator.Collate(rows, Meta);

        new[] { batch.InputIds, batch.TokenTypeIds, batch.AttentionMask }.Should().OnlyContain(part => part.device_type == DeviceType.META);
    }
}
