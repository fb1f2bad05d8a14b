using Tcd.Models.Modeling;

namespace Tcd.Models.Tests.Modeling;

public class BertConfigTests
{
    [Fact]
    public void Json_round_trip_keeps_every_option()
    {
        var config = BertConfig.PaperSmall with
        {
            ExpertCount = 8, CapacityFactor = 1.25, AdapterSize = 16, HiddenDropout = 0.2, LayerNormEps = 1e-7, PadTokenId = 3,
        };

        var json = config.ToJson();
        var back = BertConfig.FromJson(json);

        back.Should().Be(config);
        json.Should().Contain("\"hidden_size\": 128").And.Contain("\"num_hidden_layers\": 12").And.Contain("\"capacity_factor\": 1.25");
    }

    [Fact]
    public void Hugging_face_config_json_is_readable()
    {
        const string hf = """
            {"architectures": ["BertForMaskedLM"], "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu",
             "hidden_dropout_prob": 0.1, "hidden_size": 768, "initializer_range": 0.02, "intermediate_size": 3072,
             "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
             "num_hidden_layers": 12, "pad_token_id": 0, "type_vocab_size": 2, "vocab_size": 30522}
            """;

        BertConfig.FromJson(hf).Should().Be(BertConfig.PaperLarge);
    }

    [Fact]
    public void A_tokeniser_or_token_id_outside_the_vocabulary_is_refused_naming_both_sizes()
    {
        var config = BertConfig.Tiny with { VocabSize = 1000 };

        config.RequireVocabulary(1000, "model");
        config.RequireTokenIdFits(999, "Example 0", "model");
        config.Invoking(c => c.RequireVocabulary(30522, "teacher")).Should().Throw<ArgumentException>()
            .WithMessage("The tokeniser has 30522 tokens but the teacher's VocabSize is 1000; use the vocabulary the model was trained with*");
        config.Invoking(c => c.RequireTokenIdFits(1000, "Example 7", "model")).Should().Throw<ArgumentException>()
            .WithMessage("Example 7 has token id 1000 but the model's VocabSize is 1000*");
    }

    [Theory]
    [InlineData("NumHeads", "divisible")]
    [InlineData("HiddenDropout", "[0, 1)")]
    [InlineData("CapacityFactor", "ExpertCount")]
    [InlineData("PadTokenId", "valid token id")]
    public void Validate_names_the_bad_option(string option, string hint)
    {
        var config = option switch
        {
            "NumHeads" => BertConfig.Tiny with { NumHeads = 3 },
            "HiddenDropout" => BertConfig.Tiny with { HiddenDropout = 1.5 },
            "CapacityFactor" => BertConfig.Tiny with { CapacityFactor = 1.0 },
            _ => BertConfig.Tiny with { PadTokenId = 30522 },
        };

        var act = () => config.Validate();

        act.Should().Throw<ArgumentException>().WithMessage($"*BertConfig.{option}*").WithMessage($"*{hint}*");
    }

    [Theory]
    [InlineData("LayerNormEps", "LayerNormEps must be positive (got 0); BERT uses 1e-12.")]
    [InlineData("InitializerRange", "InitializerRange must be positive (got -0.02); BERT uses 0.02.")]
    [InlineData("ExpertCount", "ExpertCount must be 0 (vanilla BERT) or positive (got -1).")]
    [InlineData("CapacityFactor", "CapacityFactor must be positive or null for dropless routing (got 0).")]
    [InlineData("AdapterSize", "AdapterSize must be 0 (no adapters) or positive (got -2).")]
    [InlineData("HiddenSize", "HiddenSize must be positive (got 0).")]
    public void Validate_refuses_a_value_out_of_range_with_what_it_must_be(string option, string message)
    {
        var config = option switch
        {
            "LayerNormEps" => BertConfig.Tiny with { LayerNormEps = 0 },
            "InitializerRange" => BertConfig.Tiny with { InitializerRange = -0.02 },
            "ExpertCount" => BertConfig.Tiny with { ExpertCount = -1 },
            "CapacityFactor" => BertConfig.Tiny with { ExpertCount = 4, CapacityFactor = 0 },
            "AdapterSize" => BertConfig.Tiny with { AdapterSize = -2 },
            _ => BertConfig.Tiny with { HiddenSize = 0 },
        };

        var act = () => config.Validate();

        act.Should().Throw<ArgumentException>().WithMessage($"Invalid BertConfig.{option}: {message}*").Which.ParamName.Should().Be(option);
    }

    [Fact]
    public void Presets_have_the_paper_shapes()
    {
        BertConfig.PaperSmall.Should().Match<BertConfig>(c => c.NumLayers == 12 && c.HiddenSize == 128 && c.NumHeads == 2 && c.IntermediateSize == 512 && c.MaxPositions == 128);
        BertConfig.PaperLarge.Should().Match<BertConfig>(c => c.NumLayers == 12 && c.HiddenSize == 768 && c.NumHeads == 12 && c.IntermediateSize == 3072 && c.MaxPositions == 512);
        BertConfig.Tiny.Should().Match<BertConfig>(c => c.NumLayers == 2 && c.HiddenSize == 64 && c.NumHeads == 2 && c.IntermediateSize == 128 && c.MaxPositions == 128);
        BertConfig.Tiny.WithExperts(4).ExpertCount.Should().Be(4);
        BertConfig.Tiny.CapacityFactor.Should().BeNull("routing is dropless by default");
    }

    public static TheoryData<string> TinyConfigNames => new() { "vanilla", "moe", "vanilla+adapters", "moe+adapters" };

    [Theory]
    [MemberData(nameof(TinyConfigNames))]
    public void Analytic_count_equals_the_real_module_count(string name)
    {
        var config = name switch
        {
            "vanilla" => TinyConfigs.Vanilla,
            "moe" => TinyConfigs.Moe,
            "vanilla+adapters" => TinyConfigs.Vanilla with { AdapterSize = 8 },
            _ => TinyConfigs.Moe with { AdapterSize = 8 },
        };

        using var masked = new BertForMaskedLm(config);
        using var bare = new BertModel(config, addPoolingLayer: true);

        masked.parameters().Sum(p => p.numel()).Should().Be(config.CountParameters());
        bare.parameters().Sum(p => p.numel()).Should().Be(config.CountParameters(includeMlmHead: false, includePooler: true));
    }

    [Theory]
    [InlineData("PaperSmall", 0, 6.3e6)]
    [InlineData("PaperSmall", 64, 105e6)]
    [InlineData("PaperLarge", 0, 110e6)]
    [InlineData("PaperLarge", 64, 3.6e9)]
    public void Paper_model_sizes_match_within_3_percent(string preset, int experts, double expected)
    {
        var config = (preset == "PaperSmall" ? BertConfig.PaperSmall : BertConfig.PaperLarge).WithExperts(experts);

        ((double)config.CountParameters()).Should().BeApproximately(expected, 0.03 * expected);
    }

    [Fact]
    public void A_configuration_without_a_key_that_sets_a_weight_shape_is_refused_naming_the_keys()
    {
        var json = """{ "vocab_size": 30522, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 128 }""";

        var act = () => BertConfig.FromJson(json);

        act.Should().Throw<System.Text.Json.JsonException>().WithMessage("it has no hidden_size, max_position_embeddings; these set the shapes of the weights*");
    }

    [Theory]
    [InlineData("NumLayers", "num_hidden_layers")]
    [InlineData("hiddenSize", "hidden_size")]
    [InlineData("ExpertCount", "expert_count")]
    public void AKeyOfOursSpeltAnotherWay_IsRefusedWithTheRightKey(string written, string right)
    {
        var json = $$"""{ "{{written}}": 4, "model_type": "bert" }""";

        var act = () => BertConfig.FromJson(json);

        act.Should().Throw<System.Text.Json.JsonException>().WithMessage($"'{written}' is not a configuration key; the key for that setting is '{right}'.");
    }
}
