"""The Gene evaluator: special forms, calls, paths, operators, and errors that keep the interpreter usable."""

from __future__ import annotations

import io
from typing import Optional

import pytest

from genex_llm.gene import GeneThrow, Interpreter, Location, to_gene


def run(source: str) -> str:
    """The value of ``source`` in a fresh interpreter, in Gene syntax."""
    return to_gene(Interpreter(io.StringIO()).run(source))


def error_of(source: str, interpreter: Optional[Interpreter] = None) -> GeneThrow:
    with pytest.raises(GeneThrow) as caught:
        (interpreter or Interpreter(io.StringIO())).run(source, "t.gene")
    return caught.value


@pytest.mark.parametrize("source, printed", [
    # var, assignment, do and scopes
    ("(var a 1) (a = (a + 1)) a", "2"),
    ("(var a)", "nil"),
    ("(var a 1) (do (var a 2) a)", "2"),
    ("(var a 1) (do (var a 2)) a", "1"),
    ("(var a 1) (do (a = 5)) a", "5"),
    ("(do)", "nil"),
    # both forms of if
    ("(if true 1 2)", "1"), ("(if nil 1 2)", "2"), ("(if 0 1 2)", "1"), ('(if "" 1 2)', "1"),
    ("(if false 1)", "nil"),
    ("(if true then 1)", "1"),
    ("(if false 1 else 2 3)", "3"),
    ("(if false 1 elif false 2 elif true then 3 else 4)", "3"),
    ("(if false 1 elif false 2)", "nil"),
    ("(if true else 1)", "nil"),
    # functions
    ("(fn add [a b] (a + b)) (add 2 3)", "5"),
    ("((fn [x] (x * x)) 7)", "49"),
    ("(fn f []) (f)", "nil"),
    ("(var k 10) (fn addk [x] (x + k)) (k = 20) (addk 1)", "21"),
    ("(fn opt [^mode] (if mode mode :default)) [(opt) (opt ^mode :fast)]", "[:default :fast]"),
    ("(fn fib [n] (if (n < 2) n ((fib (n - 1)) + (fib (n - 2))))) (fib 15)", "610"),
    ("(fn depth [n] (if (n == 0) 0 (1 + (depth (n - 1))))) (depth 300)", "300"),
    # arithmetic, comparison, equality
    ("(1 + 2 * 3)", "7"), ("((1 + 2) * 3)", "9"), ("(2 * 3 + 1)", "7"), ("(10 - 2 - 3)", "5"),
    ("(6 / 2)", "3.0"), ("(7 % 3)", "1"), ("(1.5 + 1)", "2.5"), ("(-5 + 3)", "-2"),
    ("(+)", "0"), ("(+ 1 2 3)", "6"), ("(- 4)", "-4"), ("(- 10 1 2)", "7"), ("(* 2 3 4)", "24"),
    ("(/ 12 2 3)", "2.0"),
    ("(1 < 2)", "true"), ("(2 <= 2)", "true"), ("(3 > 4)", "false"), ("(3 >= 4)", "false"),
    ('("abc" < "abd")', "true"), ("(1 < 2 == true)", "true"),
    ("(1 == 1.0)", "true"), ("(1 == true)", "false"), ("(nil == false)", "false"),
    ('("a" == :a)', "false"), ("(:a == :a)", "true"), ("([1 [2]] == [1 [2]])", "true"),
    ("({^a 1} == {^a 1})", "true"), ("({^a 1} == {^a 2})", "false"), ("(1 != 2)", "true"),
    ("(println == println)", "true"),
    # logic
    ("(and)", "true"), ("(or)", "nil"), ("(and 1 2)", "2"), ("(and 1 false 2)", "false"),
    ("(or nil 3)", "3"), ("(&& true 1)", "1"), ("(|| false nil)", "nil"),
    ("(false && (undefined))", "false"), ("(true || (undefined))", "true"),
    ("(not false)", "true"), ("(not [])", "false"),
    # strings and collections
    ('(str "a" 1 2.5 :s nil true [1 "b"] {^k "v"})', '"a12.5sniltrue[1 \\"b\\"]{^k \\"v\\"}"'),
    ("(str)", '""'),
    ('("héllo" .size)', "5"), ('("  x " .trim)', '"x"'), ('("aB" .to_upper)', '"AB"'),
    ('("aB" .to_lower)', '"ab"'), ('("abc" .ends_with "bc")', "true"), ('("abc" .split "")', '["a" "b" "c"]'),
    ('([] .join)', '""'), ('([1 2 3] .length)', "3"), ('({} .size)', "0"), ('({^a 1} .contains "b")', "false"),
    # paths
    ("(var m {^a {^b [1 2 3]}}) m/a/b/2", "3"), ("(var m {^a 1}) m/zzz", "nil"),
    ("(var v [1 2]) v/5", "nil"), ("(var v [1 2]) (v/0 = 9) v", "[9 2]"),
    ("(var m {}) (m/x = 1) m", "{^x 1}"),
    ('(var s "abc") s/.size', "3"),
    # quoted symbols and keywords as values
    (":stop", ":stop"), ("[:a :b]", "[:a :b]"),
    # exceptions
    ('(try (throw "x") catch * $ex/.message)', '"x"'),
    ('(try (throw genex/llm/OptionError "bad") catch genex/llm/LlmError $ex)',
     '(genex/llm/OptionError ^message "bad")'),
    ("(try (throw) catch * $ex/.message)", '""'),
    ('(try (throw (new GeneException "m")) catch GeneException $ex/.message)', '"m"'),
    ("(var log [0]) (try (log/0 = 1) finally (log = [log/0 2])) log", "[1 2]"),
    ('(var n 0) (try (try (throw "a") finally (n = 1)) catch * n)', "1"),
    # imports
    ("(import genex/llm) llm", "(ns genex/llm)"),
    ("(import genex/[llm]) llm", "(ns genex/llm)"),
    ("(import genex) genex/llm/Session", "genex/llm/Session"),
    ("(import load_model:load from genex/llm) load", "(native_fn genex/llm/load_model)"),
])
def test_values(source: str, printed: str) -> None:
    assert run(source) == printed


@pytest.mark.parametrize("source, message, column", [
    ("(undefined 1)", "undefined variable undefined", 2),
    ("(1 + \"a\")", '+ expects numbers, got string "a"', 1),
    ("(1 + true)", "+ expects numbers, got bool true", 1),
    ("(1 < \"a\")", '< compares two numbers or two strings, got int 1 and string "a"', 1),
    ("(1 / 0)", "division by zero: 1 / 0", 1),
    ("(5 % 0)", "modulo by zero: 5 % 0", 1),
    ("(1 +)", "infix expression ends with the operator +", 1),
    ("(1 + 2 3)", "infix expression expects an operator in position 4", 1),
    ("(1 + 2 ^x 1)", "an infix expression such as (a + b) takes no properties", 1),
    ("(+ 1 ^x 2)", "+ takes no properties, got ^x", 1),
    ("(== 1)", "== expects 2 arguments", 1),
    ("(5 6)", "int 5 is not a function", 1),
    ('("s" 1)', 's" is not a function', 1),
    ("(fn f [a] a) (f)", "fn f expects 1 argument, got 0", 14),
    ("((fn [a b] a) 1)", "anonymous fn expects 2 arguments, got 1", 1),
    ("(fn f [] 1) (f ^x 1)", "fn f has no property parameter ^x", 13),
    ("(fn f [a a] a)", "parameter a is declared twice", 1),
    ("(fn f [a = 1] a)", "= cannot be used as a parameter name", 1),
    ("(fn f [rest...] 1)", "rest parameters such as rest... are not supported", 1),
    ("(fn f (a) a)", "fn needs a parameter list in brackets", 1),
    ("(fn [1] 1)", "a parameter name must be a name, got 1", 1),
    ("(var if 1)", "if is a keyword and cannot be used as a variable name", 1),
    ("(var a/b 1)", "a/b cannot be used as a variable name", 1),
    ("(var)", "var is written (var name value) or (var name)", 1),
    ("(var x 1 ^p 2)", "var takes no properties, got ^p", 1),
    ("(nope = 1)", "cannot assign to undefined variable nope; declare it with (var nope ...)", 1),
    ("(var x 1) (x = 1 2)", "assignment is written (name = value)", 11),
    ("(var v [1]) (v/3 = 1)", "cannot set v/3: index 3 is outside an array of 1 items", 13),
    ("(var v [1]) v/a", "v is an array; index it with a number, not a", 13),
    ('(var s "x") (s/a = 1)', 'cannot set a on string "x"', 13),
    ("(var n nil) n/text", "cannot read text of nil nil in n/text", 13),
    ("(var m {}) m//x", "malformed path m//x", 12),
    ("(if)", "if needs a condition", 1),
    ("(if true 1 2 3)", "takes one or two expressions after the condition, got 3", 1),
    ("(if true 1 else 2 else 3)", "else cannot follow else", 1),
    ("(if true elif)", "elif needs a condition", 1),
    ("(if true 1 then 2)", "then goes right after the condition", 1),
    ("(try 1)", "try needs a catch or a finally clause", 1),
    ("(try 1 catch)", "catch needs a pattern", 1),
    ("(try 1 finally 2 catch * 3)", "catch must come before finally", 1),
    ("(try 1 finally 2 finally 3)", "try takes only one finally", 1),
    ('(try (throw "x") catch 5 1)', "catch expects * or an exception class such as genex/llm/ModelLoadError, got int 5", 24),
    ('(throw "a" "b")', 'throw expects a message, an exception, or an exception class and a message; got string "a" string "b"', 1),
    ("(throw GeneException 5)", "an exception message must be a string, got int 5", 1),
    ('(throw "boom")', "boom", 1),
    ("(new 5)", "new expects a class, got int 5", 1),
    ("(new)", "new needs a class", 1),
    ("(new genex/llm/Session)", "genex/llm/Session cannot be created with new: sessions come from (model .new_session", 1),
    ("(genex/llm/Model)", "genex/llm/Model is a class, not a function; models come from", 1),
    ("(GeneException)", 'GeneException is a class, not a function; create one with (new GeneException "message")', 1),
    ("(import)", "import needs a module", 1),
    ("(import nope)", "no module named nope; the modules are: genex genex/llm", 1),
    ("(import 5)", "import expects module paths such as genex/llm", 1),
    ("(import a from)", "import ... from is written", 1),
    ("(import a from 5)", 'import ... from needs a module path such as "genex/llm"', 1),
    ("(import genex/[5])", "import from genex expects names", 1),
    ("(import genex/llm/[nothing])", "genex/llm has no member 'nothing'; it has: ContextLimitError", 1),
    ("(import genex/llm/[load_model:if])", "if is a keyword and cannot be used as an imported name", 1),
    ("genex/nothing", "genex has no member 'nothing'; it has: llm", 1),
    ("(println else)", "else is a keyword, not a value", 10),
    ("$ex", "undefined variable $ex; $ex exists only inside a catch clause", 1),
    ('("s" .nope)', "string has no method .nope; it has: .length", 1),
    ("(5 .size)", "cannot call .size on int 5: a int has no methods", 1),
    ('("s" .contains 1)', ".contains expects a string, got int 1", 1),
    ('("s" .contains)', "string .contains expects 1 argument, got 0", 1),
    ('("s" .trim ^x 1)', "string .trim takes no properties, got ^x", 1),
    ("(println ^x 1)", "println takes no properties", 1),
    ("(assert false)", "assertion failed", 1),
    ('(assert (1 > 2) "one is not more than two")', "assertion failed: one is not more than two", 1),
    ("(not)", "not expects 1 argument, got 0", 1),
    ("($env 5)", "$env expects a variable name string, got int 5", 1),
    ("(fn f [n] (f (n + 1))) (f 0)", "calls are nested too deeply", None),
    ("(and 1 ^x 2)", "and takes no properties", 1),
    ('(try (throw "x") catch * ($ex .message 1))', "GeneException .message takes no arguments", 26),
    ('(try (throw "x") catch * $ex/.text)', "GeneException has no method .text", 26),
    (f"(1{'0' * 400} + 0.5)", "arithmetic overflow: int too large to convert to float", 1),
    ("(do ^x 1)", "do takes no properties", 1),
])
def test_errors_name_the_problem_and_the_innermost_expression(source: str, message: str,
                                                                column: Optional[int]) -> None:
    thrown = error_of(source)
    assert message in thrown.error.message
    assert thrown.location.file == "t.gene"
    if column is not None:
        assert thrown.location == Location("t.gene", 1, column)


def test_an_error_leaves_earlier_state_intact_and_the_interpreter_usable() -> None:
    interpreter = Interpreter(io.StringIO())
    interpreter.run("(var total 1) (fn bump [] (total = (total + 1)))")
    error_of("(bump) (var half_done (undefined_thing)) (bump)", interpreter)
    assert interpreter.run("total") == 2
    assert error_of("half_done", interpreter).error.message == "undefined variable half_done"
    error_of("(do (var scoped 1) (throw \"x\"))", interpreter)
    error_of("scoped", interpreter)
    assert interpreter.run("(bump) total") == 3


def test_println_and_print_write_to_the_interpreter_output() -> None:
    out = io.StringIO()
    Interpreter(out).run('(println "a" 1 :s "x y" [1 "q"] nil) (print "b" 2) (print) (println)')
    assert out.getvalue() == 'a 1 s x y [1 "q"] nil\nb 2\n'


def test_env_reads_the_process_environment_at_call_time(monkeypatch: pytest.MonkeyPatch) -> None:
    interpreter = Interpreter(io.StringIO())
    monkeypatch.setenv("GENE_TEST_VALUE", "set")
    monkeypatch.delenv("GENE_TEST_MISSING", raising=False)
    assert interpreter.run('[($env "GENE_TEST_VALUE") ($env "GENE_TEST_MISSING") ($env "GENE_TEST_MISSING" 7)]') \
        == ["set", None, 7]
    monkeypatch.setenv("GENE_TEST_VALUE", "changed")
    assert interpreter.run('($env "GENE_TEST_VALUE")') == "changed"


def test_finally_runs_when_a_handler_throws_and_the_new_exception_wins() -> None:
    out = io.StringIO()
    interpreter = Interpreter(out)
    thrown = error_of('(try (throw "first") catch * (throw "second") finally (println "cleanup"))', interpreter)
    assert thrown.error.message == "second"
    assert out.getvalue() == "cleanup\n"


def test_a_thrown_exception_keeps_its_class_and_the_location_of_the_throw() -> None:
    thrown = error_of('(fn fail []\n  (throw genex/llm/InferenceError "decode failed"))\n(fail)')
    assert type(thrown.error).__name__ == "InferenceError"
    assert thrown.location == Location("t.gene", 2, 3)


def test_recursion_limit_is_restored_after_a_run() -> None:
    import sys

    before = sys.getrecursionlimit()
    Interpreter(io.StringIO()).run("(fn d [n] (if (n == 0) 0 (d (n - 1)))) (d 200)")
    assert sys.getrecursionlimit() == before
