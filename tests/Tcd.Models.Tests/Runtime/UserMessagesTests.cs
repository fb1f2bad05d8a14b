using Tcd.Models.Runtime;

namespace Tcd.Models.Tests.Runtime;

public sealed class UserMessagesTests
{
    [Fact]
    public void Argument_errors_lose_the_parameter_suffix_and_dotnets_range_wording()
    {
        UserMessages.Readable(new ArgumentException("Unknown GLUE task 'Foo'.", "name")).Should().Be("Unknown GLUE task 'Foo'.");
        UserMessages.Readable(new ArgumentOutOfRangeException("TotalSteps", 0L, "TotalSteps ('0') must be a non-negative and non-zero value."))
            .Should().Be("TotalSteps ('0') must be more than 0.");
        UserMessages.Readable(new ArgumentOutOfRangeException("Epochs", -1, "Epochs ('-1') must be a non-negative value."))
            .Should().Be("Epochs ('-1') must be 0 or more.");
        UserMessages.Readable(new ArgumentOutOfRangeException("BatchSize", 1, "BatchSize ('1') must be greater than or equal to '2'."))
            .Should().Be("BatchSize ('1') must be at least 2.");
        UserMessages.Readable(new FileNotFoundException("The corpus file 'a.txt' does not exist.")).Should().Be("The corpus file 'a.txt' does not exist.");
    }

    [Fact]
    public void Json_problems_give_the_line_and_column_counted_from_one_and_the_property()
    {
        var syntax = FluentActions.Invoking(() => System.Text.Json.Nodes.JsonNode.Parse("{\n  \"a\": 1\n  \"b\": 2 }"))
            .Should().Throw<System.Text.Json.JsonException>().Which;
        var type = FluentActions.Invoking(() => Tcd.Models.Modeling.BertConfig.FromJson("{ \"hidden_size\": \"ten\" }"))
            .Should().Throw<System.Text.Json.JsonException>().Which;

        UserMessages.JsonProblem(syntax).Should().Be("line 3, column 3: '\"' is invalid after a value. Expected either ',', '}', or ']'.");
        UserMessages.JsonProblem(type).Should().StartWith("line 1, column 23 (at $.hidden_size): The JSON value could not be converted to ");
        UserMessages.JsonProblem(new System.Text.Json.JsonException("it holds null.")).Should().Be("it holds null.");
        UserMessages.JsonValueProblem(type).Should().StartWith("$.hidden_size: The JSON value could not be converted to ").And.NotContain("LineNumber");
    }

    [Theory]
    [InlineData(0, "step", "0 steps")]
    [InlineData(1, "step", "1 step")]
    [InlineData(2, "step", "2 steps")]
    [InlineData(1, "training example", "1 training example")]
    [InlineData(1000, "masked token", "1000 masked tokens")]
    public void Count_puts_the_noun_in_the_singular_only_for_one(long count, string noun, string expected)
    {
        UserMessages.Count(count, noun).Should().Be(expected);
    }
}
