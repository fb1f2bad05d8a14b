using Tcd.Models.Data;
using Tcd.Models.Modeling;

namespace Tcd.Cli.Tests;

/// <summary>Every command that writes a model from a saved one gives it the source's tokenizer; <c>tcd glue</c> encodes with it.</summary>
public sealed class TokenizerInheritanceTests : IDisposable
{
    private static readonly string[] CasedVocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "Paris", "and", "London", "paris", "london", "the", "."];
    private static readonly int[] CasedIds = [2, 5, 6, 7, 3];
    private static readonly string[] TinyOnCpu = ["--seq-length", "32", "--device", "cpu", "--threads", "1"];

    private readonly TempFolder temp = new();

    public void Dispose() => temp.Dispose();

    [Fact]
    public void Finetune_keeps_the_cased_tokenizer_of_its_model()
    {
        var model = SaveCasedModel("cased");
        var train = temp.Write("train.tsv", "sentence\tlabel\nParis and London\t1\nthe London\t0\nParis\t1\nthe .\t0\n");

        var tuned = Cli.Run(["finetune", "--model", model, "--task", "SST-2", "--data", train, "--out", temp.File("ft"), "--epochs", "1", "--batch-size", "2", .. TinyOnCpu]);

        tuned.Error.Should().BeEmpty();
        tuned.ExitCode.Should().Be(0);
        BertTextEncoder.ForModelFolder(temp.File("ft", "model")).Encode("Paris and London").InputIds.Should().Equal(CasedIds);
    }

    [Theory]
    [InlineData("pretrain", "--init")]
    [InlineData("distill", "--teacher")]
    public void Pretrain_from_a_model_and_distill_from_a_teacher_keep_its_cased_tokenizer(string command, string source)
    {
        var model = SaveCasedModel("cased");
        var corpus = temp.Write("corpus.txt", string.Join("\n\n", Enumerable.Range(0, 12).Select(_ => "Paris and London . the London and Paris .")));

        var run = Cli.Run([command, "--corpus", corpus, source, model, "--out", temp.File("run"), "--steps", "1", "--batch-size", "2", .. TinyOnCpu]);

        run.Error.Should().BeEmpty();
        run.ExitCode.Should().Be(0);
        BertTextEncoder.ForModelFolder(temp.File("run", "model")).Encode("Paris and London").InputIds.Should().Equal(CasedIds);
    }

    [Fact]
    public void Distill_refuses_an_init_model_that_tokenises_unlike_its_teacher()
    {
        var teacher = SaveCasedModel("cased");
        var init = SaveCasedModel("uncased-init");
        File.WriteAllText(Path.Combine(init, BertTokenizerSettings.FileName), """{"do_lower_case": true}""");
        var corpus = temp.Write("corpus.txt", "Paris and London .");

        var run = Cli.Run(["distill", "--corpus", corpus, "--teacher", teacher, "--init", init, "--out", temp.File("run"), "--steps", "1", "--batch-size", "2", .. TinyOnCpu]);

        run.ExitCode.Should().Be(1);
        run.Error.Should().Contain("--teacher and --init tokenise differently (12 tokens, cased against 12 tokens, uncased)");
        Directory.Exists(temp.File("run")).Should().BeFalse("nothing was trained");
    }

    [Fact]
    public void Glue_refuses_models_whose_tokenizers_differ_naming_both()
    {
        var cased = SaveCasedModel("cased");
        var uncased = temp.File("uncased");
        using (var model = new BertForMaskedLm(BertConfig.Tiny))
        {
            BertModelStore.Save(model, model.Config, uncased);
        }

        Directory.CreateDirectory(temp.File("glue"));

        var (exitCode, _, error) = Cli.Run("glue", "--models", cased, uncased, "--glue", temp.File("glue"), "--tasks", "SST-2", "--out", temp.File("out"), "--threads", "1");

        exitCode.Should().Be(1);
        error.Should().StartWith("tcd glue: error: --models: cased and uncased have different tokenizers (cased: its vocab.txt, 12 tokens, cased; " +
                                 "uncased: the built-in BERT uncased vocabulary), but the suite encodes each task once for all its models. Run them in separate suites (another --out).");
    }

    /// <summary>A tiny masked LM whose folder holds <see cref="CasedVocabulary"/> with <c>do_lower_case: false</c>, as an import of a cased checkpoint does.</summary>
    private string SaveCasedModel(string name)
    {
        var folder = temp.File(name);
        using (var model = new BertForMaskedLm(BertConfig.Tiny with { VocabSize = CasedVocabulary.Length }))
        {
            BertModelStore.Save(model, model.Config, folder);
        }

        temp.Write(Path.Combine(name, BertTextEncoder.VocabularyFileName), string.Join('\n', CasedVocabulary) + "\n");
        temp.Write(Path.Combine(name, BertTokenizerSettings.FileName), """{"do_lower_case": false}""");
        return folder;
    }
}
