using System.Text.RegularExpressions;
using Tcd.Cli.Commands;
using Tcd.Models.Modeling;
using Tcd.Models.Runtime;
using Tcd.Models.Training;

namespace Tcd.Cli.Tests;

public sealed class ParseTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Pretrain_defaults_are_the_documented_ones()
    {
        var settings = Cli.Parse(c => c.Pretrain, "pretrain", "--corpus", "a.txt", "b.txt", "--out", "run");

        settings.Corpus.Should().Equal("a.txt", "b.txt");
        settings.Output.Should().Be("run");
        settings.Model.Should().Be(BertConfig.PaperSmall);
        settings.Objective.Should().Be(PretrainingObjective.MaskedLanguageModel);
        settings.Teacher.Should().BeNull();
        settings.Validation.Should().BeEmpty();
        settings.ValidationSegments.Should().Be(256);
        settings.Training.Should().BeEquivalentTo(new PretrainingOptions
        {
            CheckpointDirectory = Path.Combine("run", "checkpoints"),
            MetricsFile = Path.Combine("run", "metrics.jsonl"),
        });
    }

    [Fact]
    public void Pretrain_options_reach_the_settings()
    {
        var settings = Cli.Parse(
            c => c.Pretrain,
            "pretrain", "--corpus", "a.txt", "--out", "run", "--preset", "tiny", "--experts", "4", "--load-balance-weight", "10",
            "--steps", "7", "--batch-size", "3", "--grad-accum", "2", "--seq-length", "256", "--lr", "0.001", "--warmup", "1",
            "--weight-decay", "0", "--max-grad-norm", "0.5", "--checkpoint-every", "5", "--keep-checkpoints", "1", "--no-resume", "--log-every", "2", "--metrics-expert-shares",
            "--validation", "v.txt", "--validation-segments", "9", "--validation-every", "3", "--device", "cpu", "--threads", "1", "--seed", "5");

        settings.Model.Should().Be(BertConfig.Tiny.WithExperts(4) with { MaxPositions = 256 });
        settings.Objective.Should().Be(PretrainingObjective.MixtureOfExperts(10));
        settings.Validation.Should().Equal("v.txt");
        settings.ValidationSegments.Should().Be(9);
        var t = settings.Training;
        (t.TotalSteps, t.BatchSize, t.GradientAccumulationSteps, t.MaxSequenceLength, t.LearningRate, t.WarmupSteps, t.WeightDecay)
            .Should().Be((7L, 3, 2, 256, 0.001, (long?)1, 0.0));
        (t.CheckpointEvery, t.KeepCheckpoints, t.Resume, t.LogEvery, t.ValidationEvery, t.Device, t.Threads, t.Seed)
            .Should().Be((5L, 1, false, 2, 3L, "cpu", (int?)1, 5L));
        t.MetricsExpertShares.Should().BeTrue();
        t.MaxGradientNorm.Should().Be(0.5);
        Cli.Parse(c => c.Pretrain, "pretrain", "--corpus", "a.txt", "--out", "run").Training.MetricsExpertShares.Should().BeFalse();
    }

    [Theory]
    [InlineData("pretrain")]
    [InlineData("distill")]
    public void Gradient_clipping_defaults_to_1_turns_off_at_0_and_a_negative_threshold_is_named(string command)
    {
        temp.Write("teacher/model/config.json", BertConfig.Tiny.ToJson());
        string[] run = [command, "--corpus", temp.File("a.txt"), "--out", temp.File("run"), .. command == "distill" ? ["--teacher", temp.File("teacher")] : Array.Empty<string>()];

        Cli.Parse(c => command == "distill" ? c.Distill : c.Pretrain, run).Training.MaxGradientNorm.Should().Be(1.0);
        Cli.Parse(c => command == "distill" ? c.Distill : c.Pretrain, [.. run, "--max-grad-norm", "0"]).Training.MaxGradientNorm.Should().Be(0);
        var (exitCode, _, error) = Cli.Run([.. run, "--max-grad-norm", "-1"]);

        exitCode.Should().Be(1);
        error.Should().Contain("--max-grad-norm").And.NotContain("MaxGradientNorm");
        Directory.Exists(temp.File("run")).Should().BeFalse();
    }

    [Fact]
    public void Finetune_clips_gradients_with_pretrains_option_and_names_a_negative_threshold()
    {
        temp.Write("model/config.json", BertConfig.Tiny.ToJson());
        var train = temp.Write("rte-train.tsv", string.Empty);
        string[] command = ["finetune", "--model", temp.File("model"), "--task", "RTE", "--data", train, "--out", temp.File("ft")];
        static string HelpLine(string command) =>
            Regex.Replace(Cli.Run(command, "--help").Output.Split('\n').Single(line => line.Contains("--max-grad-norm")).Trim(), @"\s+", " ");

        Cli.Parse(c => c.Finetune, command).Training.MaxGradientNorm.Should().Be(new FineTuningOptions().MaxGradientNorm).And.Be(1.0);
        Cli.Parse(c => c.Finetune, [.. command, "--max-grad-norm", "0"]).Training.MaxGradientNorm.Should().Be(0, "0 turns clipping off");
        Cli.Parse(c => c.Finetune, [.. command, "--max-grad-norm", "0.5"]).Training.MaxGradientNorm.Should().Be(0.5);
        var (exitCode, _, error) = Cli.Run([.. command, "--max-grad-norm", "-1"]);

        exitCode.Should().Be(1);
        error.Should().Contain("--max-grad-norm").And.NotContain("MaxGradientNorm");
        Directory.Exists(temp.File("ft")).Should().BeFalse();
        HelpLine("finetune").Should().Be(HelpLine("pretrain"), "one option, worded and defaulted alike")
            .And.Be("--max-grad-norm <max-grad-norm> Clip the global gradient norm to this before each optimizer step; 0 turns clipping off. [default: 1]");
    }

    [Fact]
    public void Distill_defaults_to_the_teachers_shape_with_64_experts_and_the_papers_weights()
    {
        var teacher = temp.Write("teacher/model/config.json", BertConfig.Tiny.ToJson());

        var settings = Cli.Parse(c => c.Distill, "distill", "--corpus", "a.txt", "--out", "run", "--teacher", temp.File("teacher"));

        settings.Teacher.Should().Be(Path.GetDirectoryName(teacher));
        settings.Model.Should().Be(BertConfig.Tiny.WithExperts(64));
        settings.Objective.Should().Be(PretrainingObjective.TransferCapabilityDistillation(1000, 1, 1, 0));
        settings.Training.TeacherPrecision.Should().Be(ComputePrecision.Float32);
    }

    [Fact]
    public void Distill_with_an_attention_weight_and_a_teacher_of_other_heads_is_refused_naming_the_option()
    {
        temp.Write("teacher/model/config.json", BertConfig.Tiny.ToJson());
        string[] distill = ["distill", "--corpus", temp.File("a.txt"), "--out", temp.File("run"), "--teacher", temp.File("teacher"), "--preset", "paper-large"];

        var (exitCode, _, error) = Cli.Run([.. distill, "--attention-weight", "1"]);

        exitCode.Should().Be(1);
        error.Should().Contain("--attention-weight 1 aligns the attention heads one to one, but the student has 12 heads and the teacher 2")
            .And.Contain("--attention-weight 0");
        Directory.Exists(temp.File("run")).Should().BeFalse();
        Cli.Parse(c => c.Distill, [.. distill, "--attention-weight", "0"]).Objective.AttentionWeight.Should().Be(0);
    }

    [Fact]
    public void Distill_runs_its_teacher_in_bfloat16_on_request_and_names_the_two_precisions_otherwise()
    {
        temp.Write("teacher/model/config.json", BertConfig.Tiny.ToJson());
        string[] distill = ["distill", "--corpus", "a.txt", "--out", "run", "--teacher", temp.File("teacher")];

        Cli.Parse(c => c.Distill, [.. distill, "--teacher-precision", "bf16"]).Training.TeacherPrecision.Should().Be(ComputePrecision.BFloat16);
        var wrong = Cli.Run([.. distill, "--teacher-precision", "fp16"]);

        wrong.ExitCode.Should().Be(1);
        wrong.Error.Should().Contain("fp16").And.Contain("fp32").And.Contain("bf16");
        Cli.Run("pretrain", "--corpus", "a.txt", "--out", "run", "--teacher-precision", "bf16").ExitCode.Should().Be(1, "a teacher's precision means nothing without a teacher");
    }

    [Fact]
    public void Distill_into_paper_large_turns_on_the_attention_relation_when_the_heads_align()
    {
        temp.Write("teacher/config.json", BertConfig.PaperLarge.ToJson());
        temp.Write("tiny-teacher/config.json", BertConfig.Tiny.ToJson());
        PretrainSettings Distill(string teacher) => Cli.Parse(
            c => c.Distill, "distill", "--corpus", "a.txt", "--out", "run", "--teacher", temp.File(teacher), "--preset", "paper-large",
            "--experts", "8", "--trunk-weight", "2", "--inner-weight", "3");

        var settings = Distill("teacher");

        settings.Model.Should().Be(BertConfig.PaperLarge.WithExperts(8));
        settings.Objective.Should().Be(PretrainingObjective.TransferCapabilityDistillation(1000, 2, 3, 1));
        Distill("tiny-teacher").Objective.AttentionWeight.Should().Be(0, "a teacher of 2 heads cannot align with 12 one to one");
    }

    [Fact]
    public void Finetune_defaults_to_full_fine_tuning_and_finds_the_dev_file()
    {
        temp.Write("model/config.json", BertConfig.Tiny.ToJson());
        var train = temp.Write("glue/MRPC/train.tsv", string.Empty);
        var dev = temp.Write("glue/MRPC/dev.tsv", string.Empty);

        var settings = Cli.Parse(c => c.Finetune, "finetune", "--model", temp.File("model"), "--task", "mrpc", "--data", temp.File("glue"), "--out", "ft");

        settings.Task.Name.Should().Be("MRPC");
        settings.TrainFile.Should().Be(train);
        settings.DevFile.Should().Be(dev);
        settings.MaxTrain.Should().BeNull();
        settings.Training.Should().BeEquivalentTo(new FineTuningOptions
        {
            CheckpointDirectory = Path.Combine("ft", "checkpoints"),
            MetricsFile = Path.Combine("ft", "metrics.jsonl"),
            KeepCheckpointsWhenDone = true, // until the model and result.json are saved, so a stop in between trains nothing again
        });
    }

    [Fact]
    public void Finetune_finds_the_dev_file_in_the_same_path_form_as_the_training_file()
    {
        temp.Write("model/config.json", BertConfig.Tiny.ToJson());
        temp.Write("glue/MRPC/train.tsv", string.Empty);
        temp.Write("glue/MRPC/dev.tsv", string.Empty);
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, temp.File("glue"));

        var settings = Cli.Parse(c => c.Finetune, "finetune", "--model", temp.File("model"), "--task", "MRPC", "--data", relative, "--out", "ft");

        settings.TrainFile.Should().Be(Path.Combine(relative, "MRPC", "train.tsv"));
        settings.DevFile.Should().Be(Path.Combine(relative, "MRPC", "dev.tsv"), "the header prints both, and a relative and a full path side by side read as two places");
    }

    [Fact]
    public void Finetune_with_adapters_and_a_single_tsv()
    {
        temp.Write("model/config.json", BertConfig.Tiny.ToJson());
        var train = temp.Write("rte-train.tsv", string.Empty);

        var settings = Cli.Parse(
            c => c.Finetune, "finetune", "--model", temp.File("model"), "--task", "RTE", "--data", train, "--out", "ft", "--adapters", "16",
            "--epochs", "2", "--batch-size", "8", "--lr", "5e-5", "--seq-length", "64", "--warmup-ratio", "0.1", "--max-train", "100", "--seed", "3");

        settings.TrainFile.Should().Be(train);
        settings.DevFile.Should().BeNull();
        settings.MaxTrain.Should().Be(100);
        var t = settings.Training;
        (t.Mode, t.AdapterSize, t.Epochs, t.BatchSize, t.LearningRate, t.MaxSequenceLength, t.WarmupRatio, t.Seed)
            .Should().Be((FineTuningMode.Adapters, 16, 2, 8, 5e-5, 64, 0.1, 3L));
    }

    [Fact]
    public void Finetune_learning_rate_defaults_to_the_papers_rate_for_the_mode_and_help_says_so()
    {
        temp.Write("model/config.json", BertConfig.Tiny.ToJson());
        var train = temp.Write("rte-train.tsv", string.Empty);
        string[] command = ["finetune", "--model", temp.File("model"), "--task", "RTE", "--data", train, "--out", "ft"];

        Cli.Parse(c => c.Finetune, [.. command]).Training.LearningRate.Should().Be(2e-5);
        Cli.Parse(c => c.Finetune, [.. command, "--adapters", "16"]).Training.LearningRate.Should().Be(1e-4, "the paper tunes adapters at 1e-4 to 3e-4");
        Cli.Parse(c => c.Finetune, [.. command, "--adapters", "16", "--lr", "3e-4"]).Training.LearningRate.Should().Be(3e-4);

        var help = Cli.Run("finetune", "--help").Output;
        help.Should().Contain("full 1e-5, 2e-5, 5e-5; adapters 1e-4, 2e-4, 3e-4")
            .And.Contain("[default: 2e-5 for full fine-tuning, 1e-4 with --adapters]");
    }

    [Fact]
    public void Eval_defaults()
    {
        temp.Write("run/model/config.json", BertConfig.Tiny.ToJson());

        var settings = Cli.Parse(c => c.Eval, "eval", "--model", temp.File("run"), "--corpus", "a.txt");

        settings.Should().Be(new EvalSettings(temp.File("run", "model"), settings.Corpus, 128, 32, 1000, 1234, "auto", null, null));
        settings.Corpus.Should().Equal("a.txt");
    }

    [Fact]
    public void Hugging_Face_commands()
    {
        temp.Write("model/config.json", BertConfig.Tiny.ToJson());

        var import = Cli.Parse(c => c.ImportHf, "import-hf", "--from", "hf", "--out", "m");
        (import.Source, import.Output).Should().Be(("hf", "m"));
        Cli.Parse(c => c.ExportHf, "export-hf", "--model", temp.File("model"), "--out", "hf")
            .Should().Be(new ExportHfSettings(temp.File("model"), "hf", IncludeTokenizer: true));
        Cli.Parse(c => c.ExportHf, "export-hf", "--model", temp.File("model"), "--out", "hf", "--no-tokenizer").IncludeTokenizer.Should().BeFalse();
    }

    [Fact]
    public void Config_file_values_apply_and_command_line_options_override_them()
    {
        var config = temp.Write("run.json", """{ "corpus": ["x.txt", "y.txt"], "out": "from-file", "steps": 5, "batch-size": 8, "preset": "tiny" }""");

        var settings = Cli.Parse(c => c.Pretrain, "pretrain", "--config", config, "--steps", "7");

        settings.Corpus.Should().Equal(temp.File("x.txt"), temp.File("y.txt"));
        settings.Output.Should().Be(temp.File("from-file"));
        settings.Training.TotalSteps.Should().Be(7);
        settings.Training.BatchSize.Should().Be(8);
        settings.Model.Should().Be(BertConfig.Tiny);
        settings.Training.LearningRate.Should().Be(new PretrainingOptions().LearningRate);
    }

    [Fact]
    public void Glue_ll_corpus_and_plot_title_reach_the_settings()
    {
        var model = Path.GetDirectoryName(temp.Write("a/config.json", BertConfig.Tiny.ToJson()))!;
        var glue = Directory.CreateDirectory(temp.File("glue")).FullName;
        var heldOut = temp.Write("held-out.txt", "The mill by the river was old.");
        var folder = Directory.CreateDirectory(temp.File("more-text")).FullName;
        var metrics = temp.Write("run/metrics.jsonl", "{\"step\":1,\"mlm\":3}\n");
        string[] required = ["glue", "--models", model, "--glue", glue, "--tasks", "RTE", "--out", "o"];

        Cli.Parse(c => c.Glue, required).Suite.LogLikelihoodCorpus.Should().BeEmpty();
        Cli.Parse(c => c.Glue, [.. required, "--ll-corpus", heldOut, folder]).Suite.LogLikelihoodCorpus.Should().Equal(heldOut, folder);
        Cli.Parse(c => c.Plot, "plot", "--runs", metrics, "--metric", "mlm", "--out", "c.png").Title.Should().BeNull();
        Cli.Parse(c => c.Plot, "plot", "--runs", metrics, "--metric", "mlm", "--title", "Masked LM, tiny", "--out", "c.png").Title.Should().Be("Masked LM, tiny");
    }

    [Fact]
    public void Glue_suite_defaults_are_the_papers_protocol()
    {
        var a = Path.GetDirectoryName(temp.Write("a/config.json", BertConfig.Tiny.ToJson()))!;
        var b = Path.GetDirectoryName(temp.Write("b/config.json", BertConfig.Tiny.ToJson()))!;
        var glue = Directory.CreateDirectory(temp.File("glue")).FullName;

        var settings = Cli.Parse(c => c.Glue, "glue", "--models", $"teacher={a}", b, "--glue", glue, "--tasks", "MRPC, RTE", "--out", "o").Suite;

        settings.Models.Should().Equal(new Experiments.Glue.GlueSuiteModel("teacher", a), new Experiments.Glue.GlueSuiteModel("b", b));
        settings.Tasks.Should().Equal("MRPC", "RTE");
        settings.Grid.Should().Be(Experiments.Glue.GlueSuiteGrid.Paper);
        settings.Seeds.Should().Equal(1L, 2L, 3L);
        (settings.Epochs, settings.BatchSize, settings.MaxSequenceLength, settings.Device, settings.WriteTestPredictions, settings.GroupByLength)
            .Should().Be((10, 32, 128, "auto", false, false));
        Cli.Parse(c => c.Glue, "glue", "--models", a, "--glue", glue, "--tasks", "RTE", "--out", "o", "--grid", "quick", "--seeds", "1", "--threads", "2")
            .Should().Match<GlueSettings>(quick => quick.Suite.Grid == Experiments.Glue.GlueSuiteGrid.Quick && quick.Threads == 2);
        Cli.Run("glue", "--help").Output.Should()
            .Contain("'paper' (section 4.3: full lr 1e-5/2e-5/5e-5; adapters lr 1e-4/2e-4/3e-4 × size 16/64/128 (16/64/128/256 for models of hidden size 768 or more))")
            .And.Contain("'quick' (smoke runs: full lr 5e-5; adapters lr 3e-4 × size 64)", "help says what each grid runs");
    }

    [Fact]
    public void Glue_learning_rates_and_adapter_sizes_given_replace_the_grids_own()
    {
        var model = Path.GetDirectoryName(temp.Write("a/config.json", BertConfig.Tiny.ToJson()))!;
        var glue = Directory.CreateDirectory(temp.File("glue")).FullName;
        string[] required = ["glue", "--models", model, "--glue", glue, "--tasks", "RTE", "--out", "o"];
        List<string> ConfigurationsOfABertBaseWideModel(params string[] options) =>
            Cli.Parse(c => c.Glue, [.. required, .. options]).Suite.Grid.ConfigurationsFor(BertConfig.PaperLarge).Select(c => c.ToString()).ToList();
        Action Parsing(params string[] options) => () => Cli.Parse(c => c.Glue, [.. required, .. options]);

        ConfigurationsOfABertBaseWideModel("--full-lr", "2e-5", "--adapter-lr", "none").Should().Equal(["full lr=2e-05"], "a one-cell grid");
        ConfigurationsOfABertBaseWideModel("--grid", "quick", "--adapter-sizes", "16, 32,16").Should().Equal(
            "full lr=5e-05", "adapters lr=3e-04 size=16", "adapters lr=3e-04 size=32");
        ConfigurationsOfABertBaseWideModel("--full-lr", "NONE", "--adapter-lr", "1e-4").Should().Equal(
            "adapters lr=1e-04 size=16", "adapters lr=1e-04 size=64", "adapters lr=1e-04 size=128", "adapters lr=1e-04 size=256");
        ConfigurationsOfABertBaseWideModel().Should().HaveCount(15, "without them the paper's grid runs: 3 full and 4 × 3 adapter configurations");
        Parsing("--full-lr", "2e-5,fast").Should().Throw<CliUsageException>()
            .WithMessage("--full-lr: 'fast' is not a learning rate, a number above 0; give values separated by commas, e.g. --full-lr 1e-5,2e-5, or 'none'.");
        Parsing("--adapter-lr", "-3e-4").Should().Throw<CliUsageException>().WithMessage("--adapter-lr: '-3e-4' is not a learning rate*");
        Parsing("--adapter-sizes", "0").Should().Throw<CliUsageException>().WithMessage("--adapter-sizes: '0' is not an adapter size, a whole number above 0;*e.g. --adapter-sizes 16,64.");
        Parsing("--full-lr", "none", "--adapter-lr", "none").Should().Throw<CliUsageException>()
            .WithMessage("--full-lr and --adapter-lr leave the grid without a configuration*");
    }

    [Fact]
    public void Glue_config_file_gives_the_grid_lists_as_text_a_number_or_an_array_of_numbers()
    {
        var model = Path.GetDirectoryName(temp.Write("a/config.json", BertConfig.Tiny.ToJson()))!;
        var glue = Directory.CreateDirectory(temp.File("glue")).FullName;
        string[] required = ["glue", "--models", model, "--glue", glue, "--tasks", "RTE", "--out", "o"];
        var files = 0;
        string[] WithConfig(string json) => [.. required, "--config", temp.Write($"grid{++files}.json", json)];
        List<string> Configurations(string json, params string[] options) =>
            Cli.Parse(c => c.Glue, [.. WithConfig(json), .. options]).Suite.Grid.ConfigurationsFor(BertConfig.PaperLarge).Select(c => c.ToString()).ToList();
        Action Parsing(string json) => () => Cli.Parse(c => c.Glue, WithConfig(json));

        Configurations("""{ "full-lr": 2e-5, "adapter-lr": "none" }""").Should().Equal(["full lr=2e-05"], "a number is a one-value list");
        Configurations("""{ "full-lr": [2e-5, 5E-5], "adapter-lr": [3e-4], "adapter-sizes": [16, 64] }""").Should().Equal(
            "full lr=2e-05", "full lr=5e-05", "adapters lr=3e-04 size=16", "adapters lr=3e-04 size=64");
        Configurations("""{ "full-lr": "none", "adapter-lr": 0.0003, "adapter-sizes": 64 }""").Should().Equal("adapters lr=3e-04 size=64");
        Configurations("""{ "full-lr": "2e-5,5e-5", "adapter-lr": "none" }""").Should().Equal("full lr=2e-05", "full lr=5e-05");
        Configurations("""{ "full-lr": [2e-5, 5e-5], "adapter-lr": "none" }""", "--full-lr", "1e-5").Should().Equal(["full lr=1e-05"], "the command line overrides the file");
        Parsing("""{ "full-lr": true }""").Should().Throw<CliUsageException>().WithMessage(
            "--config: '*grid*.json' key \"full-lr\" is true, which is not a list of numbers; write a number, an array of numbers or a string of them separated by commas.");
        Parsing("""{ "adapter-sizes": [16, "64"] }""").Should().Throw<CliUsageException>().WithMessage("--config: * key \"adapter-sizes\" is [16,\"64\"], which is not a list of numbers;*");
        Parsing("""{ "adapter-lr": [] }""").Should().Throw<CliUsageException>().WithMessage("--config: * key \"adapter-lr\" is [], which is not a list of numbers;*");
        Parsing("""{ "adapter-lr": { "rate": 3e-4 } }""").Should().Throw<CliUsageException>().WithMessage("--config: * key \"adapter-lr\" is {*}, which is not a list of numbers;*");
        Parsing("""{ "adapter-sizes": 64.5 }""").Should().Throw<CliUsageException>().WithMessage("--adapter-sizes: '64.5' is not an adapter size, a whole number above 0;*");
        Parsing("""{ "adapter-lr": [1e-4, -3e-4] }""").Should().Throw<CliUsageException>().WithMessage("--adapter-lr: '-3e-4' is not a learning rate*");
    }

    [Fact]
    public void Glue_groups_batches_by_length_when_the_command_line_or_the_config_file_asks()
    {
        var model = Path.GetDirectoryName(temp.Write("a/config.json", BertConfig.Tiny.ToJson()))!;
        var glue = Directory.CreateDirectory(temp.File("glue")).FullName;
        string[] required = ["glue", "--models", model, "--glue", glue, "--tasks", "RTE", "--out", "o"];
        var config = temp.Write("run.json", """{ "group-by-length": true }""");

        Cli.Parse(c => c.Glue, [.. required, "--group-by-length"]).Suite.GroupByLength.Should().BeTrue();
        Cli.Parse(c => c.Glue, [.. required, "--config", config]).Suite.GroupByLength.Should().BeTrue();
        Cli.Parse(c => c.Glue, [.. required, "--config", config, "--group-by-length", "false"]).Suite.GroupByLength.Should().BeFalse("the command line overrides the file");
    }

    [Fact]
    public void Glue_takes_run_folders_and_names_each_row_after_its_run()
    {
        var teacherModel = Path.GetDirectoryName(temp.Write("runs/teacher/model/config.json", BertConfig.Tiny.ToJson()))!;
        var tcdModel = Path.GetDirectoryName(temp.Write("runs/tcd/model/config.json", BertConfig.Tiny.ToJson()))!;
        var glue = Directory.CreateDirectory(temp.File("glue")).FullName;

        // The README's form (model folders of runs) and PACKAGE.md's (run folders) give the same rows.
        foreach (var models in new[] { new[] { teacherModel, tcdModel }, new[] { temp.File("runs", "teacher"), temp.File("runs", "tcd") } })
        {
            var settings = Cli.Parse(c => c.Glue, ["glue", "--models", .. models, "--glue", glue, "--tasks", "MRPC", "--out", "o"]).Suite;

            settings.Models.Should().Equal(new Experiments.Glue.GlueSuiteModel("teacher", teacherModel), new Experiments.Glue.GlueSuiteModel("tcd", tcdModel));
        }
    }
}
