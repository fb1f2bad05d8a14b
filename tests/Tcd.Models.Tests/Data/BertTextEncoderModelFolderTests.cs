using Tcd.Models.Data;

namespace Tcd.Models.Tests.Data;

public class BertTextEncoderModelFolderTests
{
    [Fact]
    public void ModelFolderWithItsOwnVocabulary_UsesIt()
    {
        using var files = new TempFiles();
        var vocabulary = files.Write(BertTextEncoder.VocabularyFileName, "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nhello\nworld\n");

        var encoder = BertTextEncoder.ForModelFolder(Path.GetDirectoryName(vocabulary)!);

        encoder.VocabularySize.Should().Be(7);
        encoder.Encode("hello world").InputIds.Should().Equal(2, 5, 6, 3);
    }

    [Fact]
    public void ModelFolderWithoutVocabulary_UsesTheEmbeddedUncasedOne()
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write("config.json", "{}"))!;

        BertTextEncoder.ForModelFolder(folder).Encode("hello world").InputIds.Should().Equal(101, 7592, 2088, 102);
    }

    private const string CasedVocabulary = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nParis\nand\nLondon\nparis\nlondon\nCafé\ncafe\n";

    [Fact]
    public void ModelFolderWithACasedTokenizerConfig_KeepsCaseAndAccents()
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write(BertTextEncoder.VocabularyFileName, CasedVocabulary))!;
        files.Write(BertTokenizerSettings.FileName, """{"do_lower_case": false, "model_max_length": 512}""");

        var encoder = BertTextEncoder.ForModelFolder(folder);

        encoder.Settings.Should().Be(BertTokenizerSettings.Cased, "strip_accents, absent, follows do_lower_case as in transformers");
        encoder.Encode("Paris and London").InputIds.Should().Equal(2, 5, 6, 7, 3);
        encoder.Tokenize("Café").Should().Equal(10);
    }

    [Fact]
    public void ModelFolderWithAVocabularyButNoTokenizerConfig_IsUncasedAsInTransformers()
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write(BertTextEncoder.VocabularyFileName, CasedVocabulary))!;

        var encoder = BertTextEncoder.ForModelFolder(folder);

        encoder.Encode("Paris and London").InputIds.Should().Equal(2, 8, 6, 9, 3);
        encoder.Tokenize("Café").Should().Equal(11);
    }

    [Fact]
    public void StripAccentsCanDifferFromLowerCasing()
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write(BertTextEncoder.VocabularyFileName, CasedVocabulary))!;
        files.Write(BertTokenizerSettings.FileName, """{"do_lower_case": true, "strip_accents": false}""");

        BertTextEncoder.ForModelFolder(folder).Tokenize("CAFÉ").Should().ContainSingle().Which.Should().Be(1, "lower-cased but with its accent, 'café' is no word of the vocabulary");
    }

    [Fact]
    public void AMalformedTokenizerConfig_NamesTheFileAndKey()
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write(BertTextEncoder.VocabularyFileName, CasedVocabulary))!;
        var config = files.Write(BertTokenizerSettings.FileName, """{"do_lower_case": "no"}""");

        FluentActions.Invoking(() => BertTextEncoder.ForModelFolder(folder))
            .Should().Throw<InvalidDataException>().WithMessage($"'{config}' sets \"do_lower_case\" to \"no\"; it must be true or false.");
    }

    [Fact]
    public void A_tokenizer_config_that_is_not_json_names_the_file()
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write(BertTextEncoder.VocabularyFileName, CasedVocabulary))!;
        var config = files.Write(BertTokenizerSettings.FileName, """{"do_lower_case": false""");

        FluentActions.Invoking(() => BertTextEncoder.ForModelFolder(folder))
            .Should().Throw<InvalidDataException>().WithMessage($"'{config}' is not valid JSON: *");
    }

    [Fact]
    public void FromJson_reads_hugging_faces_defaults_and_names_its_source_in_errors()
    {
        BertTokenizerSettings.FromJson("""{"do_lower_case": false, "model_max_length": 512}""", "tokenizer settings").Should().Be(BertTokenizerSettings.Cased);
        BertTokenizerSettings.FromJson("{}", "tokenizer settings").Should().Be(new BertTokenizerSettings());
        FluentActions.Invoking(() => BertTokenizerSettings.FromJson("[false]", "tokenizer settings"))
            .Should().Throw<InvalidDataException>().WithMessage("tokenizer settings is not a JSON object; a tokenizer_config.json holds e.g. {\"do_lower_case\": false}.");
        FluentActions.Invoking(() => BertTokenizerSettings.FromJson("{\"strip_accents\": 1}", "tokenizer settings"))
            .Should().Throw<InvalidDataException>().WithMessage("tokenizer settings sets \"strip_accents\" to 1; *");
    }

    [Fact]
    public void SaveTokenizerFiles_WritesAnOwnTokenizerAndLeavesNoneForTheEmbeddedOne()
    {
        using var files = new TempFiles();
        var source = Path.GetDirectoryName(files.Write(Path.Combine("source", BertTextEncoder.VocabularyFileName), CasedVocabulary))!;
        files.Write(Path.Combine("source", BertTokenizerSettings.FileName), """{"do_lower_case": false}""");
        var bare = Path.GetDirectoryName(files.Write(Path.Combine("bare", "config.json"), "{}"))!;
        var target = Path.GetDirectoryName(files.Write(Path.Combine("target", "config.json"), "{}"))!;

        BertTextEncoder.ForModelFolder(source).SaveTokenizerFiles(target);
        var copied = BertTextEncoder.ForModelFolder(target);
        BertTextEncoder.ForModelFolder(bare).SaveTokenizerFiles(target);

        copied.EncodesLike(BertTextEncoder.ForModelFolder(source)).Should().BeTrue();
        copied.Encode("Paris").InputIds.Should().Equal(2, 5, 3);
        BertTextEncoder.TokenizerFileNames.Should().OnlyContain(name => !File.Exists(Path.Combine(target, name)), "a source without a tokenizer leaves none behind");
        BertTextEncoder.ForModelFolder(target).EncodesLike(BertTextEncoder.CreateUncased()).Should().BeTrue();
        copied.EncodesLike(BertTextEncoder.FromVocabularyFile(Path.Combine(source, BertTextEncoder.VocabularyFileName))).Should().BeFalse("same vocabulary, other settings");
    }

    [Fact]
    public void A_vocabulary_that_does_not_fit_the_models_embeddings_is_refused()
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write(Path.Combine("model", BertTextEncoder.VocabularyFileName), CasedVocabulary))!;
        files.Write(Path.Combine("model", "config.json"), """{"vocab_size": 30522}""");
        var bare = Path.GetDirectoryName(files.Write(Path.Combine("bare", "config.json"), """{"vocab_size": 1000}"""))!;

        var otherModels = () => BertTextEncoder.ForModelFolder(folder);
        var builtInTooLarge = () => BertTextEncoder.ForModelFolder(bare);
        var missing = () => BertTextEncoder.ForModelFolder(Path.Combine(folder, "typo"));

        otherModels.Should().Throw<InvalidDataException>().WithMessage("*vocab.txt' has * tokens but the model in * has 30522 (vocab_size)*another model*");
        builtInTooLarge.Should().Throw<InvalidDataException>().WithMessage("*has 1000 tokens (vocab_size) but no vocab.txt*built-in 30522-token*");
        missing.Should().Throw<DirectoryNotFoundException>();
    }

    [Theory]
    [InlineData(null, "BertNormalizer", false, "a checkpoint whose casing only tokenizer.json states")]
    [InlineData("""{"do_lower_case": true}""", "BertNormalizer", true, "tokenizer_config.json's key comes first, as in Hugging Face")]
    [InlineData(null, "Sequence", true, "another normalizer's keys are not guessed")]
    public void The_fast_tokenizer_files_normalizer_gives_the_settings_tokenizer_config_json_lacks(string? tokenizerConfig, string normalizerType, bool lowerCase, string because)
    {
        using var files = new TempFiles();
        var folder = Path.GetDirectoryName(files.Write(Path.Combine("hf", BertTextEncoder.VocabularyFileName), CasedVocabulary))!;
        files.Write(Path.Combine("hf", BertTokenizerSettings.FastTokenizerFileName),
            $$$"""{"version": "1.0", "normalizer": {"type": "{{{normalizerType}}}", "lowercase": false, "strip_accents": null, "handle_chinese_chars": true}}""");
        if (tokenizerConfig is not null)
        {
            files.Write(Path.Combine("hf", BertTokenizerSettings.FileName), tokenizerConfig);
        }

        var settings = BertTokenizerSettings.ForFolder(folder);

        settings.LowerCase.Should().Be(lowerCase, because);
        settings.StripAccents.Should().Be(lowerCase, "strip_accents null follows the casing");
    }
}
