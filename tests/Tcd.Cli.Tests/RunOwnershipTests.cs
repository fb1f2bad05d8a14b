using System.Text.Json.Nodes;
using Tcd.Models.Modeling;

namespace Tcd.Cli.Tests;

/// <summary>Which command's run an <c>--out</c> folder holds, and that no command writes over another's run or over the model it reads.</summary>
public sealed class RunOwnershipTests : IDisposable
{
    private readonly TempFolder temp = new();

    public RunOwnershipTests() =>
        Corpus = temp.Write("corpus.txt", string.Join("\n\n", Enumerable.Range(0, 40).Select(i => $"The river number {i} flows past the old mill and the bridge {i % 5}.")));

    private string Corpus { get; }

    public void Dispose() => temp.Dispose();

    [Fact]
    public void The_config_names_the_command_and_only_that_command_replays_it()
    {
        var run = temp.File("run");
        Pretrain(run).ExitCode.Should().Be(0);
        var config = Path.Combine(run, "tcd-config.json");

        JsonNode.Parse(File.ReadAllText(config))!["command"]!.GetValue<string>().Should().Be("pretrain");
        var (exitCode, _, error) = Cli.Run("distill", "--config", config, "--teacher", run, "--out", temp.File("student"));

        exitCode.Should().Be(1);
        error.Should().Contain($"--config: '{config}' is the record of a 'tcd pretrain' run").And.NotContain("unknown key");
    }

    [Fact]
    public void Distill_refuses_a_pretraining_run_as_its_out_and_leaves_it_alone()
    {
        var teacher = temp.File("t1");
        Pretrain(teacher).ExitCode.Should().Be(0);
        var config = File.ReadAllText(Path.Combine(teacher, "tcd-config.json"));

        var (exitCode, _, error) = Cli.Run(
            "distill", "--corpus", Corpus, "--teacher", teacher, "--out", teacher, "--experts", "2", "--steps", "1", "--batch-size", "4", "--seq-length", "32", "--device", "cpu", "--threads", "1");

        exitCode.Should().Be(1);
        error.Should().Contain($"--out: '{teacher}' holds a 'tcd pretrain' run, which 'tcd distill' would overwrite; choose another --out.");
        File.ReadAllText(Path.Combine(teacher, "tcd-config.json")).Should().Be(config);
    }

    [Theory]
    [InlineData("", "is")]
    [InlineData("model", "contains")]
    public void Pretrain_refuses_an_out_that_holds_its_init_model(string initInside, string relation)
    {
        var run = temp.File("run");
        Pretrain(run).ExitCode.Should().Be(0);
        var init = Path.Combine(run, initInside);

        var (exitCode, _, error) = Pretrain(run, "--init", init);

        exitCode.Should().Be(1);
        error.Should().Contain($"--out: '{run}' {relation} the --init folder '{init}', whose model this run would overwrite");
    }

    [Fact]
    public void Pretrain_and_finetune_refuse_each_others_runs()
    {
        var tuned = temp.Write("tuned/result.json", "{ \"task\": \"RTE\", \"cancelled\": false }");
        Directory.CreateDirectory(temp.File("tuned", "model"));

        var (exitCode, _, error) = Pretrain(temp.File("tuned"));

        exitCode.Should().Be(1);
        error.Should().Contain($"--out: '{temp.File("tuned")}' holds a 'tcd finetune' run, which 'tcd pretrain' would overwrite");
        File.Exists(tuned).Should().BeTrue();
    }

    [Fact]
    public void Training_commands_refuse_a_model_folder_as_their_out_and_name_its_run_to_the_command_that_resumes_it()
    {
        var teacher = temp.File("teacher");
        Pretrain(teacher).ExitCode.Should().Be(0);
        var runModel = Path.Combine(teacher, "model");
        var imported = temp.File("imported");
        using (var model = new BertForMaskedLm(BertConfig.Tiny))
        {
            BertModelStore.Save(model, model.Config, imported);
        }

        var filesBefore = Directory.GetFileSystemEntries(runModel).Order().ToList();
        var train = temp.Write("train.tsv", "sentence\tlabel\na fine film\t1\na dull film\t0\n");

        var pretrain = Pretrain(runModel);
        var distill = Distill(runModel, imported, steps: 1);
        var finetune = Cli.Run("finetune", "--model", teacher, "--task", "SST-2", "--data", train, "--out", imported, "--device", "cpu", "--threads", "1");

        pretrain.ExitCode.Should().Be(1);
        pretrain.Error.Should().Contain($"--out: '{runModel}' holds a model (config.json), not a run: a run keeps its model in <out>/model/")
            .And.Contain($"To go on with the 'tcd pretrain' run whose model it is, give that run's folder, '{teacher}'.");
        distill.ExitCode.Should().Be(1);
        distill.Error.Should().Contain($"--out: '{runModel}' holds a model (config.json), not a run").And.NotContain("To go on with", "distill cannot go on with a pretrain run");
        Directory.GetFileSystemEntries(runModel).Order().Should().Equal(filesBefore);
        finetune.ExitCode.Should().Be(1);
        finetune.Error.Should().Contain($"--out: '{imported}' holds a model (config.json), not a run").And.NotContain("To go on with");
        Directory.GetFileSystemEntries(imported).Should().HaveCount(2, "config.json and model.safetensors, nothing of a run");
    }

    [Fact]
    public void A_run_of_an_older_version_without_the_command_record_resumes_with_its_own_command()
    {
        var run = temp.File("run");
        Pretrain(run).ExitCode.Should().Be(0);
        var file = Path.Combine(run, "tcd-config.json");
        var config = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
        config.Remove("command");
        File.WriteAllText(file, config.ToJsonString());

        var resumed = Pretrain(run, steps: 2);

        resumed.ExitCode.Should().Be(0, resumed.Error);
        resumed.Output.Should().Contain("resuming from step 1");
    }

    [Fact]
    public void A_distillation_resumes_with_its_teacher_however_spelt_and_records_the_model_folder()
    {
        var teacher = temp.File("p1");
        Pretrain(teacher).ExitCode.Should().Be(0);
        var student = temp.File("student");
        Distill(student, teacher, steps: 1).ExitCode.Should().Be(0);
        var configFile = Path.Combine(student, "tcd-config.json");
        var config = JsonNode.Parse(File.ReadAllText(configFile))!.AsObject();
        config["teacher"]!.GetValue<string>().Should().Be(Path.Combine(teacher, "model"));
        // As older versions recorded it: the path as given.
        config["teacher"] = teacher + Path.DirectorySeparatorChar;
        File.WriteAllText(configFile, config.ToJsonString());

        var resumed = Distill(student, Path.Combine(teacher, "model"), steps: 2);

        resumed.ExitCode.Should().Be(0, resumed.Error);
        resumed.Output.Should().Contain("resuming from step 1");
    }

    [Fact]
    public void A_path_without_a_model_names_every_kind_of_folder_that_holds_one()
    {
        var (exitCode, _, error) = Pretrain(temp.File("run"), "--init", temp.Path);

        exitCode.Should().Be(1);
        error.Should().Contain("Give a model folder, a checkpoint folder (<out>/checkpoints/step-…) or the --out folder of 'tcd pretrain', 'tcd distill', 'tcd finetune' or 'tcd xpert'.");
    }

    private (int ExitCode, string Output, string Error) Distill(string run, string teacher, long steps) => Cli.Run(
        "distill", "--corpus", Corpus, "--teacher", teacher, "--out", run, "--experts", "2", "--steps", $"{steps}", "--batch-size", "4",
        "--seq-length", "32", "--device", "cpu", "--threads", "1");

    private (int ExitCode, string Output, string Error) Pretrain(string run, params string[] more) => Pretrain(run, steps: 1, more);

    private (int ExitCode, string Output, string Error) Pretrain(string run, long steps, params string[] more) => Cli.Run(
    [
        "pretrain", "--corpus", Corpus, "--out", run, "--preset", "tiny", "--steps", $"{steps}", "--batch-size", "4",
        "--seq-length", "32", "--device", "cpu", "--threads", "1", .. more,
    ]);
}
