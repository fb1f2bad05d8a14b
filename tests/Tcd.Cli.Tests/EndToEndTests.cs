using System.Text.Json;
using Tcd.Models.Modeling;

namespace Tcd.Cli.Tests;

public sealed class EndToEndTests : IDisposable
{
    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Pretrain_two_tiny_steps_then_eval_the_saved_model()
    {
        var sentences = Enumerable.Range(0, 60).Select(i => $"The quick brown fox number {i} jumps over the lazy dog near river {i % 7}.");
        var corpus = temp.Write("corpus.txt", string.Join("\n\n", sentences.Chunk(3).Select(chunk => string.Join(' ', chunk))));
        var run = temp.File("run");

        var (exitCode, output, error) = Cli.Run(
            "pretrain", "--corpus", corpus, "--out", run, "--preset", "tiny", "--steps", "2", "--batch-size", "4", "--seq-length", "32",
            "--log-every", "1", "--checkpoint-every", "1", "--device", "cpu", "--threads", "1");

        error.Should().BeEmpty();
        exitCode.Should().Be(0);
        output.Should().Contain("step 1/2").And.Contain("step 2/2").And.Contain("mlm=");
        File.Exists(Path.Combine(run, "model", BertModelStore.ConfigFileName)).Should().BeTrue();
        File.Exists(Path.Combine(run, "model", BertModelStore.WeightsFileName)).Should().BeTrue();
        File.ReadAllLines(Path.Combine(run, "metrics.jsonl")).Should().HaveCount(2);
        Directory.EnumerateDirectories(Path.Combine(run, "checkpoints")).Should().NotBeEmpty();
        using (var result = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, "result.json"))))
        {
            result.RootElement.GetProperty("steps").GetInt64().Should().Be(2);
        }

        var effective = Cli.Parse(c => c.Pretrain, "pretrain", "--config", Path.Combine(run, "tcd-config.json"));
        effective.Training.TotalSteps.Should().Be(2);
        effective.Model.Should().Be(BertConfig.Tiny);

        var evalFile = temp.File("eval.json");
        var evaluation = Cli.Run("eval", "--model", run, "--corpus", corpus, "--seq-length", "32", "--max-segments", "8", "--device", "cpu", "--out", evalFile);

        evaluation.Error.Should().BeEmpty();
        evaluation.ExitCode.Should().Be(0);
        evaluation.Output.Should().Contain("mean masked-token log-likelihood");
        using var scored = JsonDocument.Parse(File.ReadAllText(evalFile));
        var logLikelihood = scored.RootElement.GetProperty("mean_log_likelihood").GetDouble();
        logLikelihood.Should().BeNegative().And.BeGreaterThan(-Math.Log(30522) - 5);
        scored.RootElement.GetProperty("masked_tokens").GetInt64().Should().BePositive();
    }
}
