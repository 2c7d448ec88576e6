create table t(a integer, b real, c text);
with recursive n(i) as (select 1 union all select i+1 from n where i < 3000)
insert into t select i, i*1.37/7.0 - 500.25, printf('row%05d-%x', (i*7919)%3001, i) from n;
select count(*), sum(a), printf('%.10f', avg(b)), printf('%.6e', sum(b*b)), min(c), max(c) from t;
select a % 7, count(*), printf('%.4f', total(b)), group_concat(substr(c,4,2), '') from t group by a % 7 order by 1;
select c from t order by b desc, c limit 5;
create index ti on t(c);
select count(*) from t where c between 'row01000' and 'row01500';
select json_object('a', 1.5, 'b', json_array(1,2,'x')), round(3.14159265358979, 5), 1e308*10, -0.0, 9223372036854775807 + 1;
select length(zeroblob(100)), upper('héllo'), instr('abcdef','cd'), replace('aaa','a','bb');
